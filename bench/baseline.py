"""The baseline the pipeline is compared with: plain aiohttp on uvloop, a fresh connection per request."""

import asyncio
import time
from pathlib import Path

import aiohttp


async def bare_loop(url: str, seconds: float, concurrency: int) -> float:
    """Requests per second from plain aiohttp with a new connection each: the ceiling for one process."""
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(force_close=True, limit=concurrency, ssl=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as response:
                    await response.read()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def tls_files(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 from a throwaway CA (trustme), for the HTTPS scenario."""
    import trustme

    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1", key_type=trustme.KeyType.ECDSA)
    chain, key = folder / "target.pem", folder / "target.key"
    issued.private_key_pem.write_to_path(str(key))
    chain.write_bytes(b"".join(blob.bytes() for blob in issued.cert_chain_pems))
    return chain, key

"""The TCP probe: resolve, connect, optionally send a line and read the reply."""

import asyncio
import contextlib
import errno
import socket
import time
from collections.abc import Callable

from watchkeeper.checks.context import ProbeContext, endpoint
from watchkeeper.checks.tcp.config import TcpCheck
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.observations import FailureKind, ProbeFailure, TcpObservation, Timings

MAX_REPLY = 64 * 1024


async def probe(check: TcpCheck, context: ProbeContext) -> TcpObservation:
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def timings() -> Timings:
        now = time.perf_counter()
        dns = (marks["resolved"] - started) * 1000 if "resolved" in marks else None
        connect = (marks["connected"] - marks["resolved"]) * 1000 if "connected" in marks else None
        return Timings(dns=dns, connect=connect, total=(now - started) * 1000)

    def failed(kind: FailureKind, message: str) -> TcpObservation:
        return TcpObservation(check.host, check.port, timings=timings(), failure=ProbeFailure(kind, message))

    where = endpoint(check.host, check.port)
    reply = bytearray()
    try:
        async with asyncio.timeout(check.timeout.total_seconds()):
            return await _exchange(
                check, context.secret(check.send) if check.send is not None else None, marks, timings, reply
            )
    except TimeoutError:
        if reply:  # an answer came, but not the one expected: say what is missing, not "timed out"
            return TcpObservation(check.host, check.port, reply=bytes(reply), timings=timings())
        phase = "connecting" if "connected" not in marks else "waiting for a reply"
        return failed("timeout", f"timed out after {readable_duration(check.timeout)} {phase} to {where}")
    except socket.gaierror:
        return failed("dns", f"cannot resolve {check.host}")
    except ConnectionRefusedError:
        return failed("refused", f"connection refused by {where}")
    except ConnectionResetError:
        return failed("reset", f"connection reset by {where}")
    except OSError as error:
        kind: FailureKind = "unreachable" if error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else "error"
        return failed(kind, f"cannot connect to {where}: {error.strerror or error}")


async def _exchange(
    check: TcpCheck, send: str | None, marks: dict[str, float], timings: Callable[[], Timings], reply: bytearray
) -> TcpObservation:
    loop = asyncio.get_running_loop()
    addresses = await loop.getaddrinfo(check.host, check.port, type=socket.SOCK_STREAM)
    marks["resolved"] = time.perf_counter()
    address = addresses[0][4]
    reader, writer = await asyncio.open_connection(str(address[0]), int(address[1]))
    marks["connected"] = time.perf_counter()
    try:
        if send is not None:
            writer.write(send.encode() + b"\r\n")
            await writer.drain()
        if check.expect is not None:
            await _read_until(reader, check.expect.encode(), reply)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return TcpObservation(check.host, check.port, reply=bytes(reply), timings=timings())


async def _read_until(reader: asyncio.StreamReader, wanted: bytes, reply: bytearray) -> None:
    """Read until the expected text has arrived, the peer closes, or the reply is too long to be a banner."""
    while wanted not in reply and len(reply) < MAX_REPLY:
        chunk = await reader.read(4096)
        if not chunk:
            return
        reply.extend(chunk)

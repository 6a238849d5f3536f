"""Name lookups for HTTP probes on the event loop (dnspython), not in a thread pool.

aiohttp's default resolver calls getaddrinfo in the loop's thread pool, which under uvloop is four threads:
at 20 ms a lookup that caps a probe process at 200 names a second, however many checks are due. This resolver
sends its queries itself, as many at once as there are probes waiting, reads /etc/hosts first as the system
would, and can be pointed at given name servers (the tests' own, so they never ask the machine's)."""

import asyncio
import socket
from collections.abc import Sequence
from ipaddress import ip_address
from pathlib import Path

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver
from aiohttp.abc import AbstractResolver, ResolveResult

HOSTS_FILE = Path("/etc/hosts")
LOOKUP_SECONDS = 5.0


class ProbeResolver(AbstractResolver):
    def __init__(self, nameservers: Sequence[tuple[str, int]] | None = None, hosts_file: Path | None = HOSTS_FILE):
        self._resolver = dns.asyncresolver.Resolver(configure=nameservers is None)
        if nameservers is not None:
            self._resolver.nameservers = [dns.nameserver.Do53Nameserver(host, port) for host, port in nameservers]
        self._resolver.lifetime = LOOKUP_SECONDS
        # "localhost" is always the loopback (RFC 6761), whatever a hosts file says or lacks.
        self._hosts = {"localhost": ["127.0.0.1", "::1"], **(_read_hosts(hosts_file) if hosts_file else {})}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.rstrip(".").lower()
        addresses = self._hosts.get(name) or await self._lookup(name, family)
        return [_result(host, address, port) for address in addresses]

    async def _lookup(self, name: str, family: socket.AddressFamily) -> list[str]:
        kinds = {socket.AF_INET: ["A"], socket.AF_INET6: ["AAAA"]}.get(family, ["A", "AAAA"])
        answers = await asyncio.gather(*(self._query(name, kind) for kind in kinds), return_exceptions=True)
        found = [address for answer in answers if isinstance(answer, list) for address in answer]
        if found:
            return found
        failures = [answer for answer in answers if isinstance(answer, BaseException)]
        if any(isinstance(failure, dns.resolver.NXDOMAIN) for failure in failures):
            raise OSError(socket.EAI_NONAME, "no such name (NXDOMAIN)")
        if any(isinstance(failure, dns.exception.Timeout) for failure in failures):
            raise OSError(socket.EAI_AGAIN, f"no DNS answer within {LOOKUP_SECONDS:g} s")
        if failures:
            raise OSError(socket.EAI_FAIL, "the name servers failed to answer")
        raise OSError(socket.EAI_NODATA, "the name has no address")

    async def _query(self, name: str, kind: str) -> list[str]:
        answer = await self._resolver.resolve(name, kind, search=False, raise_on_no_answer=False)
        return [record.to_text() for record in answer]

    async def close(self) -> None:
        """Nothing to release: each query opens and closes its own socket."""


def _result(host: str, address: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ip_address(address).version == 6 else socket.AF_INET
    return ResolveResult(hostname=host, host=address, port=port, family=family, proto=0, flags=socket.AI_NUMERICHOST)


def _read_hosts(path: Path) -> dict[str, list[str]]:
    """Names to addresses from a hosts file; an unreadable file is as good as an empty one."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    hosts: dict[str, list[str]] = {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or not _is_address(fields[0]):
            continue
        for name in fields[1:]:
            hosts.setdefault(name.lower(), []).append(fields[0])
    return hosts


def _is_address(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True

"""What probes share: one aiohttp session (fresh connection per request, as monitoring must measure), the
way secrets are read, and the clock for timings."""

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import aiohappyeyeballs
import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ConnectionKey
from aiohttp.helpers import ceil_timeout, is_ip_address

from watchkeeper.checks.resolver import ProbeResolver


def _resolve(text: str) -> str:
    # Imported when first used: the catalog loads the check types, which import this module.
    from watchkeeper.catalog.secrets import resolve

    return resolve(text)


@dataclass
class PhaseClock:
    """Marks taken while one request runs, in perf_counter seconds, and the TLS peer it met. The probe sets
    it in PHASES; the connector marks DNS, TCP connect and TLS handshake, the probe the first byte."""

    start: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)
    certificate: bytes | None = None
    tls_version: str | None = None
    latest: str | None = None
    """The mark made last, so a timeout can say what it interrupted, on a redirect's connection too (the
    timings keep each phase's first mark)."""

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())
        self.latest = name

    def doing(self) -> str:
        """What the request was doing after the latest mark, in words for a timeout's reason."""
        return _DOING.get(self.latest or "", "connecting")

    def between(self, first: str, last: str) -> float | None:
        if first in self.marks and last in self.marks:
            return (self.marks[last] - self.marks[first]) * 1000
        return None

    def since_start(self, name: str) -> float | None:
        return (self.marks[name] - self.start) * 1000 if name in self.marks else None


_DOING = {
    "dns_start": "resolving the name",
    "dns_end": "connecting",
    "connect_start": "connecting",
    "connect_end": "waiting for the first byte",
    "tls_start": "during the TLS handshake",
    "tls_end": "waiting for the first byte",
    "first_byte": "reading the body",
}


CLOSE_SECONDS = 0.5
"""How long a connection the probe is done with may take to close: a TLS one waits this long for the peer's
close_notify (a monitor has nothing more to say to it), a plain one for the peer to take what is left of a
request it stopped reading (a large body sent to a hung server), which could be never. Then it is aborted, so
that no target, however broken, holds on to a socket of ours."""

CERTIFICATE_ERRORS = (ssl.CertificateError,)
SSL_ERRORS = (ssl.SSLError,)
"""As aiohttp sorts them: an untrusted certificate, or any other failure of the handshake."""

PHASES: ContextVar[PhaseClock | None] = ContextVar("watchkeeper_phases", default=None)
"""Set by a probe before its request: the connector's marks and the TLS peer's details go into it."""


def endpoint(host: str, port: int | str) -> str:
    """`host:port` as a URL writes it, so an IPv6 address reads as one: [::1]:8080, not ::1:8080."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _mark(name: str) -> None:
    phases = PHASES.get()
    if phases is not None:
        phases.mark(name)


class _PhasedConnector(aiohttp.TCPConnector):
    """aiohttp's connector, marking each phase of a new connection for the probe that asked: name lookup,
    TCP connect and TLS handshake apart (aiohttp does the last two in one call, so that call is split
    here), and keeping the TLS certificate and version, because a short answer can release (and, with
    force_close, close) the connection before the probe can look. Cheaper than aiohttp's tracing hooks.

    It also sees every connection it closes through to the end, which aiohttp does not: with force_close, a
    released connection is closed and forgotten, and a TLS one keeps its socket until the peer answers the
    close or CLOSE_SECONDS pass. Left at that, closing the session left such sockets open, and a loop that ended
    next (`watchkeeper check`, each test) never closed them at all."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._closing: dict[asyncio.Transport, ResponseHandler] = {}
        """Connections released and closing, until CLOSE_SECONDS have passed and they are surely closed."""

    async def _resolve_host(self, host: str, port: int, traces: Any = None) -> Any:
        if is_ip_address(host):
            return await super()._resolve_host(host, port, traces)
        _mark("dns_start")
        try:
            return await super()._resolve_host(host, port, traces)
        finally:
            _mark("dns_end")

    async def _wrap_create_connection(
        self,
        *args: Any,
        addr_infos: list[Any],
        req: aiohttp.ClientRequest,
        timeout: aiohttp.ClientTimeout,
        client_error: type[Exception] = aiohttp.ClientConnectorError,
        **kwargs: Any,
    ) -> tuple[asyncio.Transport, ResponseHandler]:
        try:
            async with ceil_timeout(timeout.sock_connect, ceil_threshold=timeout.ceil_threshold):
                _mark("connect_start")
                sock = await aiohappyeyeballs.start_connection(
                    addr_infos=addr_infos,
                    local_addr_infos=self._local_addr_infos,
                    happy_eyeballs_delay=self._happy_eyeballs_delay,
                    interleave=self._interleave,
                    loop=self._loop,
                    socket_factory=self._socket_factory,
                )
                _mark("connect_end")
                if kwargs.get("ssl"):  # the close waits for the peer's close_notify this long, not asyncio's 30 s
                    kwargs["ssl_shutdown_timeout"] = CLOSE_SECONDS
                    _mark("tls_start")
                try:
                    transport, protocol = await self._loop.create_connection(*args, **kwargs, sock=sock)
                except BaseException:  # a failed or cancelled handshake must not leave the socket open
                    sock.close()
                    raise
        except CERTIFICATE_ERRORS as error:
            raise aiohttp.ClientConnectorCertificateError(req.connection_key, error) from error
        except SSL_ERRORS as error:
            raise aiohttp.ClientConnectorSSLError(req.connection_key, error) from error
        except OSError as error:
            if error.errno is None and isinstance(error, asyncio.TimeoutError):
                raise
            raise client_error(req.connection_key, error) from error
        ssl_object = transport.get_extra_info("ssl_object")
        phases = PHASES.get()
        if phases is not None and ssl_object is not None:
            phases.mark("tls_end")
            phases.certificate = ssl_object.getpeercert(binary_form=True)
            phases.tls_version = ssl_object.version()
        return transport, protocol

    def _release(self, key: ConnectionKey, protocol: ResponseHandler, *, should_close: bool = False) -> None:
        transport = protocol.transport
        super()._release(key, protocol, should_close=should_close)
        if transport is not None and protocol.transport is None:  # closed, not kept: so always, with force_close
            self._closing[transport] = protocol
            self._loop.call_later(CLOSE_SECONDS, self._abort, transport)

    def _abort(self, transport: asyncio.Transport) -> None:
        # A transport closes once: aborting one that has closed meanwhile does nothing.
        self._closing.pop(transport, None)
        transport.abort()

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Closes the connections in use as aiohttp does, and aborts those still closing, so that no socket is
        left open once the session is closed."""
        await super().close(abort_ssl=abort_ssl)
        closing, self._closing = self._closing, {}
        lost = [
            closed for protocol in closing.values() if (closed := protocol.closed) is not None and not closed.done()
        ]
        for transport in closing:
            transport.abort()
        if lost:  # an abort is lost at the loop's next turns; the bound is for a transport that never says so
            await asyncio.wait([asyncio.gather(*lost, return_exceptions=True)], timeout=CLOSE_SECONDS)


ASSESS_THREADS = 2
"""Worker threads for assessments that may take long (see CheckType.slow_to_assess). A regular expression lets
go of the interpreter lock while it runs, so these use the machine's cores beside the event loop; more threads
than this machine's two cores would only take CPU from the loop that starts and times the other checks."""


@dataclass
class ProbeContext:
    session: aiohttp.ClientSession
    secret: Callable[[str], str] = _resolve
    """Turns a string with ${NAME} references into the string to send."""
    assessors: Executor | None = None
    """Where slow assessments run; None for the event loop's default executor."""


@asynccontextmanager
async def probe_context(
    concurrency: int = 1000, nameservers: Sequence[tuple[str, int]] | None = None
) -> AsyncIterator[ProbeContext]:
    """The probes' shared session. Names are looked up anew for every request (a monitor must see a DNS
    change at once) by ProbeResolver, through the system's name servers or the given ones."""
    connector = _PhasedConnector(
        force_close=True,
        limit=concurrency,
        use_dns_cache=False,
        ttl_dns_cache=None,
        resolver=ProbeResolver(nameservers),
    )
    assessors = ThreadPoolExecutor(ASSESS_THREADS, thread_name_prefix="watchkeeper-assess")
    try:
        async with aiohttp.ClientSession(
            connector=connector, auto_decompress=True, cookie_jar=aiohttp.DummyCookieJar()
        ) as session:
            yield ProbeContext(session, assessors=assessors)
    finally:
        # Not waited for: an assessment still running ends at its own time limit, and nobody needs its verdict.
        assessors.shutdown(wait=False, cancel_futures=True)

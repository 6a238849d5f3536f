"""What probes share: one aiohttp session (fresh connection per request, as monitoring must measure), the
way secrets are read, and the clock for timings."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp


def _resolve(text: str) -> str:
    # Imported when first used: the catalog loads the check types, which import this module.
    from watchkeeper.catalog.secrets import resolve

    return resolve(text)


@dataclass
class PhaseClock:
    """Marks taken by aiohttp's tracing hooks during one request, in perf_counter seconds."""

    start: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter())

    def between(self, first: str, last: str) -> float | None:
        if first in self.marks and last in self.marks:
            return (self.marks[last] - self.marks[first]) * 1000
        return None

    def since_start(self, name: str) -> float | None:
        return (self.marks[name] - self.start) * 1000 if name in self.marks else None


def _tracing() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()

    def hook(name: str) -> Callable[[aiohttp.ClientSession, SimpleNamespace, Any], Any]:
        async def record(_session: aiohttp.ClientSession, context: SimpleNamespace, _params: Any) -> None:
            phases = context.trace_request_ctx
            if isinstance(phases, PhaseClock):
                phases.mark(name)

        return record

    trace.on_dns_resolvehost_start.append(hook("dns_start"))
    trace.on_dns_resolvehost_end.append(hook("dns_end"))
    trace.on_connection_create_start.append(hook("connect_start"))
    trace.on_connection_create_end.append(hook("connect_end"))
    trace.on_request_headers_sent.append(hook("sent"))
    return trace


PEER: ContextVar[dict[str, Any] | None] = ContextVar("watchkeeper_peer", default=None)
"""Set by a probe to an empty dict before a request; the connector puts the TLS peer's details in it."""


class _PeerRecordingConnector(aiohttp.TCPConnector):
    """Keeps the TLS certificate and version of each new connection for the probe that asked, because a
    short answer can release (and, with force_close, close) the connection before the probe can look."""

    async def _wrap_create_connection(self, *args: Any, **kwargs: Any) -> Any:
        transport, protocol = await super()._wrap_create_connection(*args, **kwargs)
        record = PEER.get()
        ssl_object = transport.get_extra_info("ssl_object")
        if record is not None and ssl_object is not None:
            record["certificate"] = ssl_object.getpeercert(binary_form=True)
            record["version"] = ssl_object.version()
        return transport, protocol


@dataclass
class ProbeContext:
    session: aiohttp.ClientSession
    secret: Callable[[str], str] = _resolve
    """Turns a string with ${NAME} references into the string to send."""


@asynccontextmanager
async def probe_context(concurrency: int = 1000) -> AsyncIterator[ProbeContext]:
    connector = _PeerRecordingConnector(force_close=True, limit=concurrency, use_dns_cache=False, ttl_dns_cache=None)
    async with aiohttp.ClientSession(
        connector=connector, trace_configs=[_tracing()], auto_decompress=True, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        yield ProbeContext(session)

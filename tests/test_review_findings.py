"""Bugs found by reviewing the synthetic monitoring engine from outside, one test each.

A test still marked xfail(strict=True) fails today because of the bug it names, so the suite stays green, and it
turns into a failure (XPASS) the day the bug is fixed, so whoever fixes it removes the marker.
Run `pytest --runxfail --tb=line tests/test_review_findings.py` to see each one fail with its assertion (a longer
--tb trips a CPython 3.11.7 bug in pytest's source display). The numbers in the reasons are the review report's.
"""

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from watchkeeper.catalog import load_catalog
from watchkeeper.checks.context import probe_context
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.checks.tcp.config import TcpCheck
from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.checks.tls.probe import probe as tls_probe
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.engine.scheduler import Scheduler
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.check_once import run_once
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.heartbeats import ping_token
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry
from watchkeeper.wiring import CatalogReloader

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
SECRET_KEY = "review-findings-secret-key-0123456789-abcdefghij"
REASON_LIMIT = 2_000
"""A generous bound on a stored reason: what people read on a page, not a copy of the target's answer."""


# --- local targets -----------------------------------------------------------------------------------------


class RawServer:
    """A TCP server on 127.0.0.1 in its own thread whose handler misbehaves as asked."""

    def __init__(self, handler) -> None:  # type: ignore[no-untyped-def]
        self.loop = asyncio.new_event_loop()
        self.received: list[bytes] = []
        self._handler = handler
        ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self.thread.start()
        assert ready.wait(5)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await self._handler(self, reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                pass
            finally:
                writer.close()

        self.server = self.loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def close(self) -> None:
        async def shut() -> None:
            self.server.close()
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def raw_server() -> Iterator[type[RawServer]]:
    started: list[RawServer] = []

    def start(handler):  # type: ignore[no-untyped-def]
        server = RawServer(handler)
        started.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in started:
        server.close()


async def _silent(_server: RawServer, _reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(60)


async def _garbage(_server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(bytes(range(1, 256)) * 16)  # 4 KB with no line ending a status line could use
    await writer.drain()
    await asyncio.sleep(0.5)


async def _record_a_line(server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    server.received.append(await reader.readline())
    writer.write(b"OK\r\n")
    await writer.drain()


def _probe_now(check, seconds: float = 10.0):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(asyncio.wait_for(main(), seconds))


# --- 1. the scheduler: one slow host holds every slot ------------------------------------------------------


def _apply(db: Database, tmp_path: Path, text: str, clock=None) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=clock or SystemClock(), trigger="cli")
    assert result.ok, result.problems


def _service(checks: list[str]) -> str:
    lines = "".join(f"      - {check}\n" for check in checks)
    return "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n" + lines


def test_a_slow_host_does_not_stop_checks_of_other_hosts(db, tmp_path, raw_server):
    slow = raw_server(_silent)
    fast = raw_server(_record_a_line)
    checks = [
        f"{{id: slow-{n}, type: http, url: 'http://127.0.0.1:{slow.port}/{n}', interval: 1s, timeout: 1s}}"
        for n in range(12)
    ]
    checks.append(f"{{id: other, type: tcp, host: localhost, port: {fast.port}, interval: 1s, timeout: 1s}}")
    _apply(db, tmp_path, _service(checks))
    writer = ResultWriter(db, flush_every=0.1)
    # The same shape as production (500 slots, 20 per host) at a size a test can reach in seconds.
    scheduler = Scheduler(db, SystemClock(), writer, concurrency=4, per_host=1, refresh_every=0.5)

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(6, stop.set)
        await run_checks(writer, scheduler, stop)

    asyncio.run(main())

    assert len(fast.received) >= 4, f"the check of a healthy host ran {len(fast.received)} times in 6 s"


# --- 5. reasons copy the target's answer, without bound (2, 5, 6 and 7 are fixed: their tests moved to
# tests/checks/test_http_assess.py, test_http_probe.py and test_engine.py) ---------------------------------------


def test_a_garbage_answer_gives_a_short_reason(raw_server):
    server = raw_server(_garbage)
    check = HttpCheck(id="c", url=f"http://127.0.0.1:{server.port}/", timeout=timedelta(seconds=3))

    result = _probe_now(check)

    assert not result.verdict.ok
    assert len(result.verdict.reason) < REASON_LIMIT, f"a reason of {len(result.verdict.reason):,} characters"


# --- 7 to 9. secrets ---------------------------------------------------------------------------------------------


def test_a_secret_in_tcp_send_is_sent_as_its_value(raw_server, monkeypatch):
    server = raw_server(_record_a_line)
    monkeypatch.setenv("REVIEW_TCP_PASSWORD", "tcp-password-5555")
    check = TcpCheck(id="c", host="127.0.0.1", port=server.port, send="AUTH ${REVIEW_TCP_PASSWORD}", expect="OK")

    _probe_now(check)

    assert server.received == [b"AUTH tcp-password-5555\r\n"]


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Iterator[TestClient]:
    _apply(db, tmp_path, _service(["{id: job, type: heartbeat, period: 1h, grace: 5m}"]))
    catalog = tmp_path / "catalog.yaml"
    settings = Settings(database_url=db.url, catalog=catalog, secret_key=SECRET_KEY)
    context = AppContext(
        settings, db, SystemClock(), build_registry(db), catalog, CatalogReloader(db, SystemClock(), catalog)
    )
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        yield client


def test_a_ping_token_is_not_written_to_the_request_log(app, caplog):
    token = ping_token(SECRET_KEY, "job")

    assert app.get(f"/ping/{token}").status_code == 200

    server_lines = [record.getMessage() for record in caplog.records if record.name.startswith("watchkeeper")]
    assert server_lines, "the request was not logged at all"
    assert not [line for line in server_lines if token in line]


# --- 12. `watchkeeper check` on a TLS port that never answers --------------------------------------------------


def test_a_tls_probe_returns_within_its_timeout_on_the_default_event_loop(raw_server):
    server = raw_server(_silent)
    check = TlsCheck(id="c", host="127.0.0.1", port=server.port, timeout=timedelta(seconds=1))
    outcome: list[object] = []

    def run() -> None:  # `watchkeeper check` runs probes with asyncio.run, not uvloop
        outcome.append(asyncio.run(tls_probe(check, None)))  # type: ignore[arg-type]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(6)

    assert outcome, "the TLS probe had not returned 6 s after its 1 s timeout"

"""/healthz, /readyz and /metrics."""

import asyncio
import socketserver
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.schedule import Shard
from watchkeeper.engine.lease import Lease
from watchkeeper.engine.loop import CHECKS_LEASE, Engine
from watchkeeper.engine.probes import ProbeProcesses, ProbeSettings, Report
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.engine.scheduler import Scheduler
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import SystemClock
from watchkeeper.store import Database
from watchkeeper.store import tables as t


def _metrics(client) -> dict[str, float]:
    text = client.get("/metrics").text
    return {
        sample.name + ("" if not sample.labels else str(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_healthz_answers_while_the_process_runs(served):
    response = served.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_waits_for_a_catalog(served):
    before = served.client.get("/readyz")
    served.client.post("/api/v1/catalog/reload")
    after = served.client.get("/readyz")

    assert before.status_code == 503
    assert before.json()["catalog"] == "no catalog has been applied yet"
    assert after.status_code == 200
    assert after.json()["status"] == "ready"


def test_metrics_report_the_catalog_in_force(loaded):
    metrics = _metrics(loaded.client)

    assert metrics["watchkeeper_catalog_last_reload_successful"] == 1
    assert metrics["watchkeeper_catalog_objects[('kind', 'services')]"] == 3
    assert metrics["watchkeeper_catalog_objects[('kind', 'checks')]"] == 10
    assert "watchkeeper_catalog_problems" not in metrics


def test_metrics_show_a_failed_reload(loaded):
    loaded.edit("teams/pay.yaml", "interval: 30s", "interval: thirty")

    loaded.client.post("/api/v1/catalog/reload")
    metrics = _metrics(loaded.client)

    assert metrics["watchkeeper_catalog_last_reload_successful"] == 0
    assert metrics["watchkeeper_catalog_problems"] == 1
    assert metrics["watchkeeper_catalog_objects[('kind', 'services')]"] == 3  # the old catalog is still in force


# --- the engine's per-check figures follow the catalog -------------------------------------------------------
# A check removed from the catalog leaves /metrics; so does a paused one (as on the down view), and a check that
# comes back takes up its stored state. Only the engine that holds the checks lease exports them.

CHECKS = ("paused", "deleted", "kept")
EVERY_ONE = dict.fromkeys(CHECKS, 1.0)
PAUSED_AND_DELETED = {"paused": None, "deleted": None, "kept": 1.0}


@pytest.fixture
def tcp_port() -> Iterator[int]:
    """A TCP target on loopback that accepts every connection: the checks below pass."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _apply_checks(db: Database, tmp_path: Path, port: int, ids=CHECKS, paused=()) -> None:  # type: ignore[no-untyped-def]
    tcp = f"type: tcp, host: 127.0.0.1, port: {port}, interval: 1s, timeout: 1s"
    lines = "".join(f"      - {{id: {c}, {tcp}{', paused: true' if c in paused else ''}}}\n" for c in ids)
    path = tmp_path / "engine-catalog.yaml"
    path.write_text(
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n" + lines
    )
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=SystemClock(), trigger="cli")
    assert result.ok, result.problems


def _shown(registry: CollectorRegistry) -> dict[str, float | None]:
    return {check: registry.get_sample_value("watchkeeper_check_up", {"check": check}) for check in CHECKS}


async def _until(registry: CollectorRegistry, wanted: dict[str, float | None], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while _shown(registry) != wanted:
        assert time.monotonic() < deadline, f"/metrics shows {_shown(registry)}, not {wanted}"
        await asyncio.sleep(0.1)


def _state_changes(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as connection:
        rows = connection.execute(select(t.check_state_changes)).mappings().all()
    return [(row["check_id"], row["before"], row["after"]) for row in rows]


def test_metrics_leave_out_paused_and_deleted_checks(db, tmp_path, tcp_port):
    _apply_checks(db, tmp_path, tcp_port)
    writer = ResultWriter(db, flush_every=0.1)
    scheduler = Scheduler(db, SystemClock(), writer, refresh_every=0.5)

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(2.5, stop.set)
        await run_checks(writer, scheduler, stop)

    asyncio.run(main())
    _apply_checks(db, tmp_path, tcp_port, ids=("paused", "kept"), paused=("paused",))
    registry = CollectorRegistry()
    engine = Engine(db, SystemClock(), "review", 15, registry=registry, probe_processes=1)
    assert engine.writer is not None
    asyncio.run(engine.writer.load())  # what a restarted engine does before its first scrape

    assert _shown(registry) == PAUSED_AND_DELETED


def test_a_running_engine_drops_paused_and_removed_checks_and_takes_them_up_when_they_return(db, tmp_path, tcp_port):
    _apply_checks(db, tmp_path, tcp_port)
    registry = CollectorRegistry()
    engine = Engine(db, SystemClock(), "metrics", 60, registry=registry, probe_processes=1)
    assert engine.writer is not None
    assert engine.scheduler is not None
    engine.writer.follow_every = engine.scheduler.refresh_every = 0.3
    engine.writer.flush_every = 0.1

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(engine.run(stop))
        try:
            await _until(registry, EVERY_ONE)
            await asyncio.to_thread(_apply_checks, db, tmp_path, tcp_port, ("paused", "kept"), ("paused",))
            await _until(registry, PAUSED_AND_DELETED, timeout=3)  # within a refresh
            await asyncio.to_thread(_apply_checks, db, tmp_path, tcp_port)  # resumed, and added back
            await _until(registry, EVERY_ONE, timeout=3)
        finally:
            stop.set()
            await running

    asyncio.run(main())

    assert engine.writer.states.keys() == set(CHECKS)
    changes = _state_changes(db)
    # Each came back UP as it left, rather than starting afresh from "unknown" (and announcing UP again).
    assert sorted(change for change in changes if change[1] == "unknown") == sorted(
        (c, "unknown", "up") for c in CHECKS
    )


def test_probe_processes_tell_the_engine_which_checks_they_dropped(db, tmp_path, tcp_port):
    _apply_checks(db, tmp_path, tcp_port)
    registry = CollectorRegistry()
    engine = Engine(
        db, SystemClock(), "metrics", 60, registry=registry, probes=ProbeSettings(db.url, Shard()), probe_processes=2
    )

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(engine.run(stop))
        try:
            await _until(registry, EVERY_ONE, timeout=30)
            await asyncio.to_thread(_apply_checks, db, tmp_path, tcp_port, ("paused", "kept"), ("paused",))
            await _until(registry, PAUSED_AND_DELETED)  # a refresh of the probe processes, and a report
        finally:
            stop.set()
            await running

    asyncio.run(main())

    assert engine.children is not None
    assert set(engine.children.statuses) == {"kept"}


def test_a_restarted_probe_process_replaces_what_its_predecessor_reported():
    children = ProbeProcesses(ProbeSettings("sqlite://", Shard()), 2)
    ids = [f"c{n}" for n in range(20)]
    first = [check for check in ids if Shard(0, 2).owns(check)]
    second = [check for check in ids if not Shard(0, 2).owns(check)]
    children._apply(0, Report(statuses=dict.fromkeys(first, "up")))
    children._apply(1, Report(statuses=dict.fromkeys(second, "up")))

    children._first_report.add(0)  # what starting shard 0's process again does
    children._apply(0, Report(statuses={first[0]: "down"}))

    assert children.statuses == {first[0]: "down", **dict.fromkeys(second, "up")}


def test_an_engine_that_loses_the_lease_stops_exporting_the_checks(db, tmp_path, tcp_port):
    _apply_checks(db, tmp_path, tcp_port, ids=("kept",))
    registry = CollectorRegistry()
    engine = Engine(db, SystemClock(), "first", 60, registry=registry, probe_processes=1)
    engine.lease = Lease(db, SystemClock(), CHECKS_LEASE, "first", ttl=timedelta(seconds=3), every=0.3)
    held: list[float | None] = []

    def take_the_lease_away() -> None:
        with db.transaction() as connection:
            connection.execute(
                update(t.leases).values(holder="second", expires_at=datetime.now(UTC) + timedelta(hours=1))
            )

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(engine.run(stop))
        try:
            await _until(registry, {"paused": None, "deleted": None, "kept": 1.0})
            held.append(registry.get_sample_value("watchkeeper_engine_lease_held", {"lease": "checks"}))
            await asyncio.to_thread(take_the_lease_away)
            await _until(registry, dict.fromkeys(CHECKS), timeout=5)
            held.append(registry.get_sample_value("watchkeeper_engine_lease_held", {"lease": "checks"}))
        finally:
            stop.set()
            await running

    asyncio.run(main())

    assert held == [1.0, 0.0]

"""Probe processes: the engine runs its checks in child processes, one share each, saves every result, folds
their figures into its own metrics, restarts a child that dies, and stops them all cleanly."""

import asyncio
import itertools
import os
import signal
import time
from collections import Counter
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.schedule import Shard
from watchkeeper.engine.loop import Engine
from watchkeeper.engine.probes import ProbeSettings
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import SystemClock
from watchkeeper.store import tables as t


def catalog(targets, count: int) -> str:
    checks = "".join(
        f"      - {{id: c{n}, type: http, url: '{targets.http}/ok', interval: 1s, timeout: 1s}}\n" for n in range(count)
    )
    failing = f"      - {{id: failing, type: http, url: '{targets.http}/status/503', interval: 1s, timeout: 1s}}\n"
    return (
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        + checks
        + failing
    )


def apply(db, tmp_path, text: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=SystemClock(), trigger="cli").ok


def rows(db, table):
    with db.reading() as connection:
        return connection.execute(select(table)).mappings().all()


def run_engine(db, until, during=None, timeout: float = 40) -> tuple[Engine, CollectorRegistry]:
    """Run the engine with two probe processes until `until(db)` holds (and one report more), or `timeout`."""
    registry = CollectorRegistry()
    engine = Engine(db, SystemClock(), "test", 60, registry, probes=ProbeSettings(db.url, Shard()), probe_processes=2)

    async def watch(stop: asyncio.Event) -> None:
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(until, db) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.5)  # the children report their figures each second
        stop.set()

    async def main() -> None:
        stop = asyncio.Event()
        tasks = [engine.run(stop), watch(stop)]
        if during is not None:
            tasks.append(during(engine))
        await asyncio.gather(*tasks)

    asyncio.run(main())
    return engine, registry


def ran_twice(db) -> bool:
    runs = Counter(row["check_id"] for row in rows(db, t.check_results))
    return len(runs) == 13 and min(runs.values()) >= 2


def test_every_check_runs_in_one_of_the_probe_processes_and_its_results_are_saved(db, tmp_path, targets):
    apply(db, tmp_path, catalog(targets, 12))
    shards = [Shard(0, 2), Shard(1, 2)]
    assert all(any(shard.owns(f"c{n}") for n in range(12)) for shard in shards)  # both have work

    engine, registry = run_engine(db, ran_twice)

    results = rows(db, t.check_results)
    assert {row["check_id"] for row in results} == {f"c{n}" for n in range(12)} | {"failing"}
    for check in {row["check_id"] for row in results}:  # once a second, by one process only
        times = sorted(row["at"] for row in results if row["check_id"] == check)
        assert all((later - earlier).total_seconds() > 0.5 for earlier, later in itertools.pairwise(times)), check
    states = {row["check_id"]: row["status"] for row in rows(db, t.check_states)}
    assert states["failing"] == "down"
    assert states["c0"] == "up"
    # The engine's metrics hold what the children reported.
    assert registry.get_sample_value("watchkeeper_check_up", {"check": "failing"}) == 0.0
    assert registry.get_sample_value("watchkeeper_check_up", {"check": "c7"}) == 1.0
    passed = registry.get_sample_value("watchkeeper_check_runs_total", {"type": "http", "outcome": "pass"})
    assert passed is not None
    assert passed >= 12
    assert registry.get_sample_value("watchkeeper_schedule_lag_seconds_count") >= 12
    # And every child is gone.
    assert engine.children is not None
    for pid in engine.children.pids.values():
        assert not _alive(pid)


def test_a_probe_process_that_dies_is_started_again(db, tmp_path, targets):
    apply(db, tmp_path, catalog(targets, 4))

    async def kill_one(engine: Engine) -> None:
        assert engine.children is not None
        while not any(Shard(0, 2).owns(row["check_id"]) for row in await asyncio.to_thread(rows, db, t.check_results)):
            await asyncio.sleep(0.2)
        killed.append((engine.children.pids[0], datetime.now(UTC)))
        os.kill(engine.children.pids[0], signal.SIGKILL)

    killed: list[tuple[int, datetime]] = []

    def ran_after_the_kill(db) -> bool:
        return bool(killed) and any(
            Shard(0, 2).owns(row["check_id"]) and row["at"] > killed[0][1] for row in rows(db, t.check_results)
        )

    engine, _ = run_engine(db, ran_after_the_kill, during=kill_one)

    assert engine.children is not None
    pid, at = killed[0]
    assert engine.children.pids[0] != pid  # a new process took shard 0
    after = [r for r in rows(db, t.check_results) if Shard(0, 2).owns(r["check_id"]) and r["at"] > at]
    assert after  # and its checks ran again


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_engine_beside_probe_processes_keeps_only_heartbeat_states(db, tmp_path, targets):
    apply(db, tmp_path, catalog(targets, 2))
    engine, _ = run_engine(db, lambda db: bool(rows(db, t.check_states)))
    assert engine.writer is not None
    assert set(engine.writer.states) == set()  # the http checks' states live in the probe processes
    with db.reading() as connection:
        assert connection.execute(select(t.check_states.c.check_id)).first() is not None

"""The engine's housekeeping duty on both backends: it runs with the engine's other duties, rolls results up,
applies retention, logs what it did and counts it for /metrics."""

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry
from sqlalchemy import insert, select

from watchkeeper.engine.housekeeping import Housekeeping
from watchkeeper.engine.loop import Engine
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.housekeeping import RetentionPolicy
from watchkeeper.store import Database
from watchkeeper.store import tables as t

NOW = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)


def add_results(db: Database, *stamps: datetime) -> None:
    rows = [{"check_id": "web", "at": at, "ok": True, "reason": "ok", "total_ms": 20.0} for at in stamps]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)


def minute_counts(db: Database) -> dict[datetime, int]:
    rollups = t.check_rollups
    query = select(rollups.c.start, rollups.c.count).where(rollups.c.resolution == "minute")
    with db.reading() as connection:
        return {row.start: row.count for row in connection.execute(query)}


def test_the_engine_runs_housekeeping_with_its_other_duties(db):
    add_results(db, NOW - timedelta(minutes=1), NOW - timedelta(minutes=1, seconds=10))
    registry = CollectorRegistry()
    engine = Engine(db, FixedClock(NOW), "test:1:0", 15, registry, run_checks=False, retention=RetentionPolicy())

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(1.0, stop.set)
        await engine.run(stop)

    asyncio.run(main())

    assert [duty.name for duty in engine.duties] == ["heartbeat", "housekeeping"]
    assert minute_counts(db) == {datetime(2026, 3, 1, 11, 59, tzinfo=UTC): 2}
    assert registry.get_sample_value("watchkeeper_rollups_written_total", {"resolution": "minute"}) == 1
    assert registry.get_sample_value("watchkeeper_housekeeping_last_success_timestamp_seconds") == NOW.timestamp()


def test_a_pass_logs_what_it_did_and_counts_deletions(db, caplog):
    add_results(db, NOW - timedelta(days=9), NOW - timedelta(minutes=1))
    registry = CollectorRegistry()
    keeper = Housekeeping(db, FixedClock(NOW), RetentionPolicy(), registry, budget=60)

    report = keeper.pass_once()

    assert report.results_deleted == 1
    assert registry.get_sample_value("watchkeeper_retention_deleted_rows_total", {"table": "check_results"}) == 1
    assert registry.get_sample_value("watchkeeper_retention_deleted_rows_total", {"table": "check_rollups"}) == 1
    line = next(record.getMessage() for record in caplog.records if "'housekeeping'" in record.getMessage())
    assert "'results_deleted': 1" in line
    assert "'minutes': 2" in line


def test_a_pass_with_nothing_to_do_logs_nothing_at_info(db, caplog):
    keeper = Housekeeping(db, FixedClock(NOW), RetentionPolicy())
    keeper.pass_once()  # on PostgreSQL the first pass makes the partitions of the days ahead
    caplog.clear()

    keeper.pass_once()

    assert [r for r in caplog.records if r.levelname != "DEBUG" and "housekeeping" in r.getMessage()] == []

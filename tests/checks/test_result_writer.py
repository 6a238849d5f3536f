"""The result writer keeps what the database could not take and saves it once the database is back, oldest
first, so no result is lost to an outage and each check's state row ends at its latest run."""

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from watchkeeper.domain.observations import Timings, Verdict
from watchkeeper.engine import results as results_module
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.services.check_once import CheckResult
from watchkeeper.store import Database
from watchkeeper.store import database as database_module
from watchkeeper.store import tables as t

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def finished(n: int) -> Finished:
    ok = n % 2 == 0
    result = CheckResult("c", "http", START + timedelta(seconds=n), Verdict(ok, f"run {n}"), Timings(total=1.0), None)
    return Finished(result, down_after=1, up_after=1)


def test_results_held_back_by_a_locked_database_are_saved_when_it_frees(tmp_path, monkeypatch):
    monkeypatch.setattr(results_module, "RETRY_AFTER", 0.1)
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    url = f"sqlite:///{tmp_path}/w.db"
    db = Database(url)
    db.upgrade()
    writer = ResultWriter(db, flush_every=0.05)
    blocker = sqlite3.connect(tmp_path / "w.db", isolation_level=None)

    async def main() -> None:
        await writer.load()
        stop = asyncio.Event()
        running = asyncio.create_task(writer.run(stop))
        blocker.execute("BEGIN EXCLUSIVE")  # nobody else may write until it ends
        for n in range(3):
            writer.submit(finished(n))
        await asyncio.sleep(2)  # longer than the busy timeout: saves fail, and what they held is kept
        blocker.execute("ROLLBACK")
        for n in range(3, 5):
            writer.submit(finished(n))
        await asyncio.sleep(1)
        stop.set()
        await running

    asyncio.run(main())

    with db.reading() as connection:
        reasons = [row.reason for row in connection.execute(select(t.check_results).order_by(t.check_results.c.at))]
        state = connection.execute(select(t.check_states)).one()
    assert reasons == [f"run {n}" for n in range(5)]
    assert state.last_reason == "run 4"  # the latest, though older runs were saved in the same batch
    assert state.status == "up"

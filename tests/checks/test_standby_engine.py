"""Two engines on one database: one runs the checks, the other stands by and takes over when the first stops."""

import asyncio
from datetime import timedelta

from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.lease import Lease
from watchkeeper.engine.loop import CHECKS_LEASE, Engine
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import SystemClock
from watchkeeper.store import tables as t


def engine(db, name: str) -> Engine:
    made = Engine(db, SystemClock(), name, 60)
    made.lease = Lease(db, SystemClock(), CHECKS_LEASE, name, ttl=timedelta(seconds=3), every=0.3)
    return made


def results(db) -> int:
    with db.reading() as connection:
        return len(connection.execute(select(t.check_results.c.id)).all())


def test_a_second_engine_stands_by_and_takes_over_when_the_first_stops(db, tmp_path, targets):
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        f"      - {{id: ok, type: http, url: '{targets.http}/ok', interval: 1s, timeout: 1s}}\n"
    )
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=SystemClock(), trigger="cli").ok
    first, second = engine(db, "first"), engine(db, "second")
    seen: dict[str, object] = {}

    async def main() -> None:
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        running = [asyncio.create_task(first.run(stop_first))]
        await asyncio.sleep(0.5)
        running.append(asyncio.create_task(second.run(stop_second)))
        await asyncio.sleep(2.5)
        seen["both running"] = (first.lease.held, second.lease.held, results(db))
        stop_first.set()
        await running[0]
        await asyncio.sleep(2.5)
        seen["after the first stopped"] = (second.lease.held, results(db))
        stop_second.set()
        await running[1]

    asyncio.run(main())

    first_held, second_held, before = seen["both running"]
    assert (first_held, second_held) == (True, False)  # one runs the checks; the other waits
    assert before >= 1
    second_now, after = seen["after the first stopped"]
    assert second_now  # taken over at once: a clean stop gives the lease up
    assert after > before  # and the checks went on

"""Retention on SQLite and PostgreSQL: only what is older than kept goes, in chunks of bounded size, and never
what the rollups still need."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from watchkeeper.services.housekeeping import RetentionPolicy, housekeep, retention_cutoffs
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.retention import Deleted, delete_results_before, delete_rollups_before
from watchkeeper.store.rollups import marks

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WEEK = RetentionPolicy(results=timedelta(days=7), rollups=timedelta(days=400))


def add_results(db: Database, *stamps: datetime, check: str = "web") -> None:
    rows = [{"check_id": check, "at": at, "ok": True, "reason": "ok", "total_ms": 10.0} for at in stamps]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)


def add_rollups(db: Database, resolution: str, *starts: datetime) -> None:
    rows = [
        {"check_id": "web", "resolution": resolution, "start": start, "count": 1, "failures": 0} for start in starts
    ]
    with db.transaction() as connection:
        connection.execute(insert(t.check_rollups), rows)


def result_times(db: Database) -> list[datetime]:
    with db.reading() as connection:
        return sorted(connection.execute(select(t.check_results.c.at)).scalars())


def rollup_starts(db: Database, resolution: str) -> list[datetime]:
    query = select(t.check_rollups.c.start).where(t.check_rollups.c.resolution == resolution)
    with db.reading() as connection:
        return sorted(connection.execute(query).scalars())


def test_housekeeping_deletes_only_what_is_older_than_it_is_kept(db):
    eight_days, six_days = NOW - timedelta(days=8), NOW - timedelta(days=6)
    add_results(db, eight_days, six_days)
    add_rollups(db, "hour", NOW - timedelta(days=401), NOW - timedelta(days=399))
    add_rollups(db, "day", datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC))

    report = housekeep(db, NOW, WEEK, budget=None)

    assert result_times(db) == [six_days]
    assert rollup_starts(db, "minute") == [six_days]  # rolled up from the results, then kept as long as they are
    assert NOW - timedelta(days=401) not in rollup_starts(db, "hour")
    assert {NOW - timedelta(days=399), six_days.replace(minute=0)} <= set(rollup_starts(db, "hour"))
    assert datetime(2025, 1, 1, tzinfo=UTC) not in rollup_starts(db, "day")
    assert datetime(2025, 6, 1, tzinfo=UTC) in rollup_starts(db, "day")
    assert report.results_deleted == 1
    assert report.finished


def test_results_not_yet_rolled_up_are_kept_however_old(db):
    old = NOW - timedelta(days=30)
    add_results(db, *[old + timedelta(minutes=m) for m in range(0, 60 * 24, 5)])

    housekeep(db, NOW, WEEK, budget=0)  # one slice of minutes, then out of time

    assert marks(db)["minute"] == old + timedelta(minutes=10)
    assert result_times(db)[0] == old + timedelta(minutes=10)  # rolled up, and past retention: gone
    assert len(result_times(db)) == 12 * 24 - 2


def test_cutoffs_follow_the_policy_and_wait_for_the_rollups():
    caught_up = {"minute": NOW.replace(second=0), "hour": NOW.replace(minute=0), "day": NOW.replace(hour=0)}
    behind = {**caught_up, "hour": NOW - timedelta(days=10)}

    on_time = retention_cutoffs(NOW, WEEK, caught_up)
    late = retention_cutoffs(NOW, WEEK, behind)

    assert on_time == {
        "raw": NOW - timedelta(days=7),
        "minute": NOW - timedelta(days=7),
        "hour": NOW - timedelta(days=400),
        "day": NOW - timedelta(days=400),
    }
    assert late["minute"] == NOW - timedelta(days=10)  # the hours still to be made need their minutes
    assert late["raw"] == NOW - timedelta(days=7)


def test_results_are_deleted_a_chunk_per_transaction(db):
    add_results(db, *[datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=m) for m in range(10)])
    add_results(db, NOW)

    deleted = delete_results_before(db, NOW - timedelta(days=7), chunk=3)

    assert deleted == Deleted(rows=10, chunks=4, finished=True)
    assert result_times(db) == [NOW]


def test_rollups_are_deleted_a_chunk_per_transaction_and_by_resolution(db):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    add_rollups(db, "hour", *[old + timedelta(hours=h) for h in range(10)], NOW)
    add_rollups(db, "minute", old)

    deleted = delete_rollups_before(db, ["hour"], NOW - timedelta(days=7), chunk=4)

    assert deleted == Deleted(rows=10, chunks=3, finished=True)
    assert rollup_starts(db, "hour") == [NOW]
    assert rollup_starts(db, "minute") == [old]


def test_a_delete_stops_at_its_time_budget_and_the_next_goes_on(db):
    add_results(db, *[datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=m) for m in range(10)])

    first = delete_results_before(db, NOW, chunk=3, budget=0)
    rest = delete_results_before(db, NOW, chunk=3)

    assert first == Deleted(rows=3, chunks=1, finished=False)
    assert rest.rows == 7
    with db.reading() as connection:
        assert connection.execute(select(func.count()).select_from(t.check_results)).scalar() == 0


def test_old_heartbeat_pings_go_but_each_checks_latest_success_and_latest_run_stay(db):
    def ping(check: str, at: datetime, kind: str) -> dict[str, object]:
        return {"check_id": check, "at": at, "kind": kind, "exit_code": None, "body": "x" * 100}

    old, older, recent = NOW - timedelta(days=8), NOW - timedelta(days=9), NOW - timedelta(days=1)
    with db.transaction() as connection:
        connection.execute(
            insert(t.heartbeat_pings),
            [
                ping("nightly", older, "success"),
                ping("nightly", old, "success"),  # its latest success, though old
                ping("nightly", old, "fail"),  # its latest run, which the watch times the next from
                ping("nightly", old, "start"),
                ping("hourly", older, "success"),
                ping("hourly", recent, "success"),
                ping("hourly", recent, "start"),
            ],
        )

    report = housekeep(db, NOW, WEEK, budget=None)

    with db.reading() as connection:
        kept = sorted(
            (row.check_id, row.at, row.kind)
            for row in connection.execute(
                select(t.heartbeat_pings.c.check_id, t.heartbeat_pings.c.at, t.heartbeat_pings.c.kind)
            )
        )
    assert kept == [
        ("hourly", recent, "start"),
        ("hourly", recent, "success"),
        ("nightly", old, "fail"),
        ("nightly", old, "success"),
    ]
    assert report.pings_deleted == 3

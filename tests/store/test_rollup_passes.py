"""Rolling results up on SQLite and PostgreSQL: minutes from raw results once they have ended, hours from
minutes and days from hours on UTC boundaries, late results, repeated and concurrent passes, catching up."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from watchkeeper.domain.rollups import PERCENTILE_ERROR, bucket_of
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.rollups import GRACE, SETTLE, marks, roll_up

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add_results(db: Database, *results: tuple[str, datetime, bool, float | None]) -> None:
    rows = [
        {"check_id": check, "at": at, "ok": ok, "reason": "ok" if ok else "HTTP 503", "total_ms": ms, "timings": {}}
        for check, at, ok, ms in results
    ]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)


def rollups(db: Database, resolution: str) -> dict[tuple[str, datetime], dict]:
    query = select(t.check_rollups).where(t.check_rollups.c.resolution == resolution)
    with db.reading() as connection:
        return {(row["check_id"], row["start"]): dict(row) for row in connection.execute(query).mappings()}


def counts(db: Database, resolution: str) -> dict[tuple[str, datetime], tuple[int, int]]:
    return {key: (row["count"], row["failures"]) for key, row in rollups(db, resolution).items()}


def test_a_minute_of_results_becomes_one_rollup_with_counts_and_percentiles(db):
    add_results(
        db,
        ("web", T0 + timedelta(seconds=5), True, 100.0),
        ("web", T0 + timedelta(seconds=20), False, 900.0),
        ("web", T0 + timedelta(seconds=40), False, None),
        ("web", T0 + timedelta(seconds=59.999), True, 120.0),
        ("api", T0 + timedelta(seconds=30), True, 42.0),
    )

    report = roll_up(db, T0 + timedelta(minutes=1, seconds=30))

    rows = rollups(db, "minute")
    web = rows[("web", T0)]
    assert set(rows) == {("web", T0), ("api", T0)}
    assert (web["count"], web["failures"], web["latency_max_ms"]) == (4, 2, 900.0)
    assert web["latency_buckets"] == {"100": 1, "125": 1, "900": 1}
    for column, true in (("latency_p50_ms", 120.0), ("latency_p95_ms", 900.0), ("latency_p99_ms", 900.0)):
        assert bucket_of(web[column]) == bucket_of(true)
        assert abs(web[column] - true) <= PERCENTILE_ERROR * true
    assert report.written["minute"] == 2
    assert report.done_until["minute"] == T0 + timedelta(minutes=1)


def test_a_minute_is_rolled_up_once_it_has_ended_and_its_grace_has_passed(db):
    add_results(db, ("web", T0 + timedelta(seconds=10), True, 50.0))

    roll_up(db, T0 + timedelta(minutes=1) + GRACE - timedelta(microseconds=1))
    before = counts(db, "minute")
    roll_up(db, T0 + timedelta(minutes=1) + GRACE)

    assert before == {}
    assert counts(db, "minute") == {("web", T0): (1, 0)}


def test_results_without_a_time_count_but_have_no_percentiles(db):
    add_results(db, ("cron", T0, True, None), ("cron", T0 + timedelta(seconds=1), False, None))

    roll_up(db, T0 + timedelta(minutes=2))

    row = rollups(db, "minute")[("cron", T0)]
    assert (row["count"], row["failures"]) == (2, 1)
    assert row["latency_p50_ms"] is None
    assert row["latency_buckets"] is None


def test_running_a_pass_again_counts_nothing_twice(db):
    add_results(db, *[("web", T0 + timedelta(seconds=s), s % 3 != 0, 10.0 + s) for s in range(0, 600, 7)])
    now = T0 + timedelta(hours=2)

    roll_up(db, now)
    first = (rollups(db, "minute"), rollups(db, "hour"))
    roll_up(db, now)
    roll_up(db, now + timedelta(minutes=5))

    assert (rollups(db, "minute"), rollups(db, "hour")) == first
    assert sum(count for count, _ in counts(db, "minute").values()) == len(range(0, 600, 7))
    assert counts(db, "hour") == {("web", T0): (len(range(0, 600, 7)), len(range(0, 600, 21)))}


def test_two_engines_rolling_up_at_once_count_each_result_once(db):
    add_results(db, *[(f"c{n % 5}", T0 + timedelta(seconds=n), n % 4 != 0, float(n)) for n in range(3 * 3600)])
    now = T0 + timedelta(hours=3, minutes=1)
    failures: list[BaseException] = []

    def engine() -> None:
        try:
            roll_up(db, now, budget=None)
        except BaseException as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=engine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    hours = counts(db, "hour")
    assert len(hours) == 15
    assert sum(count for count, _ in hours.values()) == 3 * 3600
    assert sum(failures for _, failures in hours.values()) == 3 * 3600 // 4


def test_hours_are_sums_of_minutes_and_days_of_hours_on_utc_boundaries(db):
    midnight = datetime(2026, 3, 2, tzinfo=UTC)
    add_results(
        db,
        ("web", midnight - timedelta(hours=1, seconds=1), True, 200.0),  # 22:59:59 on 1 March
        ("web", midnight - timedelta(seconds=1), False, 3000.0),  # 23:59:59 on 1 March
        ("web", midnight - timedelta(seconds=0.5), True, 250.0),
        ("web", midnight, True, 80.0),  # 00:00:00 on 2 March
    )

    roll_up(db, midnight + timedelta(minutes=1))
    after_midnight = counts(db, "day")
    roll_up(db, midnight + timedelta(days=1, minutes=1))

    hour = rollups(db, "hour")[("web", midnight - timedelta(hours=1))]
    assert counts(db, "hour") == {
        ("web", midnight - timedelta(hours=2)): (1, 0),
        ("web", midnight - timedelta(hours=1)): (2, 1),
        ("web", midnight): (1, 0),
    }
    assert hour["latency_buckets"] == {"250": 1, "3150": 1}
    assert hour["latency_max_ms"] == 3000.0
    assert after_midnight == {("web", midnight - timedelta(days=1)): (3, 1)}
    assert counts(db, "day") == {("web", midnight - timedelta(days=1)): (3, 1), ("web", midnight): (1, 0)}
    day = rollups(db, "day")[("web", midnight - timedelta(days=1))]
    assert day["latency_buckets"] == {"200": 1, "250": 1, "3150": 1}


def test_a_late_result_within_the_settle_window_reaches_its_minute_hour_and_day(db):
    midnight = datetime(2026, 3, 2, tzinfo=UTC)
    add_results(db, ("web", midnight - timedelta(minutes=2), True, 100.0))
    roll_up(db, midnight + timedelta(minutes=1))

    add_results(db, ("web", midnight - timedelta(seconds=30), False, 10_000.0))  # started 23:59:30, written late
    report = roll_up(db, midnight + timedelta(minutes=3))

    assert counts(db, "minute") == {
        ("web", midnight - timedelta(minutes=2)): (1, 0),
        ("web", midnight - timedelta(minutes=1)): (1, 1),
    }
    assert counts(db, "hour") == {("web", midnight - timedelta(hours=1)): (2, 1)}
    assert counts(db, "day") == {("web", midnight - timedelta(days=1)): (2, 1)}
    assert rollups(db, "day")[("web", midnight - timedelta(days=1))]["latency_max_ms"] == 10_000.0
    assert report.late == {"minute": 1, "hour": 1, "day": 1}


def test_a_result_later_than_the_settle_window_is_kept_raw_but_not_rolled_up(db):
    add_results(db, ("web", T0, True, 100.0))
    roll_up(db, T0 + timedelta(minutes=2))
    now = T0 + SETTLE + timedelta(minutes=5)
    roll_up(db, now)

    add_results(db, ("web", T0 + timedelta(seconds=1), True, 100.0))
    roll_up(db, now + timedelta(minutes=1))

    assert counts(db, "minute") == {("web", T0): (1, 0)}


def test_existing_results_are_rolled_up_from_the_earliest_within_the_time_budget(db):
    start = T0.replace(hour=0) - timedelta(days=2)
    add_results(db, *[("web", start + timedelta(minutes=m), True, 50.0) for m in range(0, 48 * 60, 15)])
    now = T0 + GRACE

    first = roll_up(db, now, budget=0)
    assert first.behind
    assert marks(db)["minute"] == start + timedelta(minutes=10)  # one slice, then the budget was spent

    while roll_up(db, now, budget=0).behind:
        pass

    assert len(counts(db, "minute")) == 48 * 4
    assert sum(count for count, _ in counts(db, "hour").values()) == 48 * 4
    assert counts(db, "day") == {("web", start): (48 * 2, 0), ("web", start + timedelta(days=1)): (48 * 2, 0)}
    assert marks(db) == {"minute": T0, "hour": T0, "day": T0.replace(hour=0)}


def test_a_database_without_results_starts_rolling_up_from_now(db):
    report = roll_up(db, T0 + GRACE)

    assert report.done_until == {"minute": T0, "hour": T0, "day": T0.replace(hour=0)}
    assert not report.behind


@pytest.mark.parametrize("gap_days", [30])
def test_a_long_stretch_without_results_is_skipped_in_one_step(db, gap_days):
    add_results(db, ("web", T0, True, 10.0), ("web", T0 + timedelta(days=gap_days), True, 10.0))

    report = roll_up(db, T0 + timedelta(days=gap_days, minutes=2), budget=None)

    assert report.written["minute"] == 2
    assert sum(count for count, _ in counts(db, "day").values()) == 1  # the later day has not ended yet

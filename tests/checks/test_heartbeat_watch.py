"""The heartbeat watch: pings become results; silence past the deadline fails once per deadline; and all of it
carries on across reloads, pauses, restarts and a standby engine taking over."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.heartbeats import HeartbeatWatch
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock, SystemClock
from watchkeeper.services.heartbeats import record_ping
from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
HOURLY = "{id: job, type: heartbeat, period: 1h, grace: 5m}"


def apply(db: Database, tmp_path: Path, checks: list[str], clock, zone: str = "UTC") -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "catalog.yaml"
    lines = "".join(f"      - {check}\n" for check in checks)
    path.write_text(
        f"organisation: {{timezone: {zone}}}\nteams:\n  - {{id: t, name: T}}\n"
        f"services:\n  - id: s\n    name: S\n    owner: t\n    checks:\n{lines}"
    )
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli").ok


def started(db: Database, tmp_path: Path, checks: list[str], zone: str = "UTC") -> tuple[HeartbeatWatch, FixedClock]:
    """A watch on a new catalog that has made its first pass, as an engine does the moment it starts."""
    clock = FixedClock(T0)
    apply(db, tmp_path, checks, clock, zone)
    watch = HeartbeatWatch(db, clock, ResultWriter(db))
    assert watch.evaluate() == []
    return watch, clock


def watch(db, tmp_path) -> tuple[HeartbeatWatch, FixedClock]:  # type: ignore[no-untyped-def]
    return started(db, tmp_path, ["{id: backup, type: heartbeat, period: 1h, grace: 5m}"], zone="Europe/London")


def outcomes(finished: list[Finished]) -> list[tuple[bool, str]]:
    return [(f.result.verdict.ok, f.result.verdict.reason) for f in finished]


def by_check(finished: list[Finished]) -> list[tuple[str, bool, str]]:
    return [(f.result.check_id, f.result.verdict.ok, f.result.verdict.reason) for f in finished]


def saved(db: Database, finished: list[Finished]) -> None:
    """Save results as the engine's writer does: results, states and the pings they came from, together."""
    writer = ResultWriter(db)

    async def main() -> None:
        await writer.load()
        for one in finished:
            writer.submit(one)
        stop = asyncio.Event()
        stop.set()
        await writer.run(stop)

    asyncio.run(main())


def unseen(db: Database) -> list[str]:
    pings = t.heartbeat_pings
    with db.reading() as connection:
        return list(connection.execute(select(pings.c.kind).where(~pings.c.seen).order_by(pings.c.id)).scalars())


# --- pings and silence ---------------------------------------------------------------------------------------


def test_pings_become_results_and_silence_fails_once(db, tmp_path):
    hb, clock = watch(db, tmp_path)

    clock.advance(timedelta(minutes=10))
    record_ping(db, "backup", clock.now(), "success", None, b"")
    assert outcomes(hb.evaluate()) == [(True, "ping received")]

    clock.advance(timedelta(hours=1, minutes=6))
    assert outcomes(hb.evaluate()) == [(False, "no ping since 10:10, grace 5 minutes")]  # 09:10 UTC in London
    assert hb.evaluate() == []


def test_a_check_that_never_pings_fails_after_its_first_period(db, tmp_path):
    hb, clock = watch(db, tmp_path)

    clock.advance(timedelta(minutes=64))
    early = hb.evaluate()
    clock.advance(timedelta(minutes=2))
    late = hb.evaluate()

    assert early == []
    assert outcomes(late) == [(False, "no ping yet, grace 5 minutes")]
    assert late[0].down_after == 1


def test_a_reported_failure_names_the_exit_code(db, tmp_path):
    hb, clock = watch(db, tmp_path)

    record_ping(db, "backup", clock.now(), "start", None, b"")
    record_ping(db, "backup", clock.now(), "fail", 3, b"disk full")

    assert outcomes(hb.evaluate()) == [(False, "the job reported a failure (exit code 3)")]


def test_a_run_that_reported_failure_is_not_also_missing(db, tmp_path):
    hb, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "success", None, b"")
    hb.evaluate()

    clock.advance(timedelta(hours=1))
    record_ping(db, "job", clock.now(), "fail", 1, b"")
    failed = hb.evaluate()
    clock.advance(timedelta(minutes=6))  # past the deadline the success set, but the job did run, and said so
    after = hb.evaluate()
    clock.advance(timedelta(hours=1))  # past the deadline the failure set: the next run is missing
    missing = hb.evaluate()

    assert outcomes(failed) == [(False, "the job reported a failure (exit code 1)")]
    assert after == []
    assert outcomes(missing) == [(False, "no ping since 10:00, grace 5 minutes")]


def test_a_cron_schedule_is_read_in_the_organisations_timezone(db, tmp_path):
    hb, clock = started(
        db, tmp_path, ["{id: nightly, type: heartbeat, schedule: '0 2 * * *', grace: 30m}"], "Asia/Tokyo"
    )
    # 09:00 UTC is 18:00 in Tokyo: the next run is 02:00 there, 17:00 UTC, and its grace ends at 17:30 UTC.

    clock.advance(timedelta(hours=8, minutes=29))
    early = hb.evaluate()
    clock.advance(timedelta(minutes=2))
    late = hb.evaluate()

    assert early == []
    assert outcomes(late) == [(False, "no ping yet, grace 30 minutes")]


# --- reloads and pauses ----------------------------------------------------------------------------------------


def test_a_heartbeat_added_by_a_reload_gets_its_first_period(db, tmp_path):
    watch, clock = started(db, tmp_path, ["{id: old, type: heartbeat, period: 1h, grace: 5m}"])
    clock.advance(timedelta(minutes=30))
    record_ping(db, "old", clock.now(), "success", None, b"")
    watch.evaluate()

    clock.advance(timedelta(hours=2))  # the engine has run for 2.5 hours when the new check arrives
    record_ping(db, "old", clock.now(), "success", None, b"")
    added = "{id: added, type: heartbeat, period: 1h, grace: 5m}"
    apply(db, tmp_path, ["{id: old, type: heartbeat, period: 1h, grace: 5m}", added], clock)
    clock.advance(timedelta(seconds=2))
    first = watch.evaluate()
    clock.advance(timedelta(hours=1, minutes=6))
    late = watch.evaluate()

    assert [o for o in by_check(first) if o[0] == "added"] == []
    assert ("added", False, "no ping yet, grace 5 minutes") in by_check(late)


def test_a_heartbeat_resumed_after_pings_while_paused_is_not_late(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "success", None, b"")
    watch.evaluate()
    apply(db, tmp_path, ["{id: job, type: heartbeat, period: 1h, grace: 5m, paused: true}"], clock)
    for _hour in range(3):  # the job keeps running, and pinging, while its check is paused
        clock.advance(timedelta(hours=1))
        record_ping(db, "job", clock.now(), "success", None, b"")
        assert watch.evaluate() == []  # a paused check gets no results
    clock.advance(timedelta(minutes=1))
    apply(db, tmp_path, [HOURLY], clock)
    resumed = watch.evaluate()
    clock.advance(timedelta(hours=1, minutes=6))
    late = watch.evaluate()

    assert resumed == []
    assert outcomes(late) == [(False, "no ping since 12:00, grace 5 minutes")]  # the last ping while paused


def test_a_check_resumed_after_a_quiet_pause_gets_a_whole_period(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "success", None, b"")
    watch.evaluate()
    apply(db, tmp_path, ["{id: job, type: heartbeat, period: 1h, grace: 5m, paused: true}"], clock)
    watch.evaluate()

    clock.advance(timedelta(days=2))  # nothing pings while the check is paused
    apply(db, tmp_path, [HOURLY], clock)
    resumed = watch.evaluate()
    clock.advance(timedelta(hours=1, minutes=4))
    within = watch.evaluate()
    clock.advance(timedelta(minutes=2))
    late = watch.evaluate()

    assert resumed == within == []
    assert outcomes(late) == [(False, "no ping since 2026-07-01 09:00, grace 5 minutes")]


# --- restarts and a standby taking over ---------------------------------------------------------------------------


def test_a_failure_ping_that_arrives_while_no_engine_runs_is_not_lost(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "success", None, b"")
    saved(db, watch.evaluate())

    clock.advance(timedelta(minutes=10))  # the engine is restarting, or a standby is taking over
    record_ping(db, "job", clock.now(), "fail", 3, b"disk full")
    standby = HeartbeatWatch(db, clock, ResultWriter(db))

    assert by_check(standby.evaluate()) == [("job", False, "the job reported a failure (exit code 3)")]


def test_a_ping_whose_result_was_saved_is_not_read_again(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "start", None, b"")
    record_ping(db, "job", clock.now(), "fail", 2, b"")
    saved(db, watch.evaluate())

    assert unseen(db) == []
    assert HeartbeatWatch(db, clock, ResultWriter(db)).evaluate() == []


def test_a_ping_whose_result_was_not_saved_is_read_by_the_next_engine(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    record_ping(db, "job", clock.now(), "fail", 2, b"")
    assert len(watch.evaluate()) == 1  # then the process is killed before its writer saves the result
    assert watch.evaluate() == []  # (while it lived, it did not read the ping twice)

    again = HeartbeatWatch(db, clock, ResultWriter(db)).evaluate()

    assert by_check(again) == [("job", False, "the job reported a failure (exit code 2)")]
    assert unseen(db) == ["fail"]
    saved(db, again)
    assert unseen(db) == []


def test_a_restart_does_not_give_a_silent_check_a_new_period(db, tmp_path):
    _watch, clock = started(db, tmp_path, [HOURLY])

    for _restart in range(4):  # an engine restarted every 40 minutes: the check was still due at 10:05
        clock.advance(timedelta(minutes=40))
        finished = HeartbeatWatch(db, clock, ResultWriter(db)).evaluate()
        saved(db, finished)
        if finished:
            break

    assert clock.now() == T0 + timedelta(minutes=80)
    assert outcomes(finished) == [(False, "no ping yet, grace 5 minutes")]


def test_a_silence_reported_before_a_restart_is_not_reported_again(db, tmp_path):
    watch, clock = started(db, tmp_path, [HOURLY])
    clock.advance(timedelta(hours=1, minutes=6))
    reported = watch.evaluate()
    saved(db, reported)

    clock.advance(timedelta(minutes=30))
    again = HeartbeatWatch(db, clock, ResultWriter(db)).evaluate()

    assert outcomes(reported) == [(False, "no ping yet, grace 5 minutes")]
    assert again == []


def test_a_standby_made_long_before_it_takes_over_times_checks_from_when_they_were_watched(db, tmp_path):
    first, clock = started(db, tmp_path, ["{id: other, type: heartbeat, period: 1d, grace: 1h}"])
    standby = HeartbeatWatch(db, clock, ResultWriter(db))  # built when its engine started, then waits
    clock.advance(timedelta(hours=3))
    apply(db, tmp_path, ["{id: other, type: heartbeat, period: 1d, grace: 1h}", HOURLY], clock)
    first.evaluate()  # the engine holding the lease begins watching the new check

    clock.advance(timedelta(minutes=20))  # then stops; the standby takes the lease over
    taken_over = standby.evaluate()

    assert taken_over == []


def test_two_engines_for_a_moment_turn_each_ping_into_one_result(db, tmp_path):
    one, clock = started(db, tmp_path, [HOURLY])
    other = HeartbeatWatch(db, clock, ResultWriter(db))
    other.evaluate()
    record_ping(db, "job", clock.now(), "fail", 1, b"")

    saved(db, one.evaluate())
    late = other.evaluate()  # reads after the first engine's results are saved

    assert late == []
    with db.reading() as connection:
        assert len(connection.execute(select(t.check_results.c.id)).all()) == 1


def test_when_watching_began_is_kept_for_the_next_engine(db, tmp_path):
    _watch, clock = started(db, tmp_path, [HOURLY])
    clock.advance(timedelta(minutes=30))

    with db.reading() as connection:
        since = dict(connection.execute(select(t.heartbeat_watches)).all())
    restarted = HeartbeatWatch(db, clock, ResultWriter(db))
    restarted.evaluate()

    assert since == {"job": T0}
    assert restarted.memory is not None
    assert restarted.memory.since == {"job": T0}


# --- in the engine -------------------------------------------------------------------------------------------------


def test_in_the_engine_a_ping_becomes_a_saved_result_and_is_marked_seen(db, tmp_path):
    apply(db, tmp_path, [HOURLY], SystemClock())
    writer = ResultWriter(db, flush_every=0.05)
    heartbeats = HeartbeatWatch(db, SystemClock(), writer, every=0.1)

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(run_checks(writer, None, stop, heartbeats))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(record_ping, db, "job", datetime.now(UTC), "fail", 4, b"")
        await asyncio.sleep(0.8)
        stop.set()
        await running

    asyncio.run(main())

    with db.reading() as connection:
        results = [(r.ok, r.reason) for r in connection.execute(select(t.check_results))]
        state = connection.execute(select(t.check_states.c.status)).scalar()
    assert results == [(False, "the job reported a failure (exit code 4)")]
    assert state == "down"
    assert unseen(db) == []

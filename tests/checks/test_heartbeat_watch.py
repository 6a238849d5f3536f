"""The heartbeat watch: pings become results; silence past the deadline fails once per deadline."""

from datetime import UTC, datetime, timedelta

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.heartbeats import HeartbeatWatch
from watchkeeper.engine.results import ResultWriter
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.heartbeats import record_ping

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def watch(db, tmp_path) -> tuple[HeartbeatWatch, FixedClock]:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "organisation: {timezone: Europe/London}\nteams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n"
        "    owner: t\n    checks:\n      - {id: backup, type: heartbeat, period: 1h, grace: 5m}\n"
    )
    clock = FixedClock(T0)
    assert apply_loaded(db, load_catalog(path), source="x", clock=clock, trigger="cli").ok
    hb = HeartbeatWatch(db, clock, ResultWriter(db))
    hb._remember()
    return hb, clock


def outcomes(finished) -> list[tuple[bool, str]]:
    return [(f.result.verdict.ok, f.result.verdict.reason) for f in finished]


def test_pings_become_results_and_silence_fails_once(db, tmp_path):
    hb, clock = watch(db, tmp_path)
    assert hb.evaluate() == []

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

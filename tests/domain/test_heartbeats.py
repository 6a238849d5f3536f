"""When a heartbeat is late, for period and cron schedules, across a clock change."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from watchkeeper.domain.heartbeats import HeartbeatRule, expected_by, silence_reason

LONDON = ZoneInfo("Europe/London")


def test_a_period_expects_the_next_ping_within_period_plus_grace():
    rule = HeartbeatRule(grace=timedelta(minutes=5), period=timedelta(hours=1))
    pinged = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

    assert expected_by(rule, pinged, pinged) == datetime(2026, 3, 1, 11, 5, tzinfo=UTC)


def test_before_any_ping_the_clock_starts_when_watching_began():
    rule = HeartbeatRule(grace=timedelta(minutes=5), period=timedelta(hours=1))
    watched = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    assert expected_by(rule, None, watched) == datetime(2026, 3, 1, 10, 5, tzinfo=UTC)


def test_a_nightly_cron_is_read_in_its_timezone_across_the_clock_change():
    rule = HeartbeatRule(grace=timedelta(minutes=30), cron="0 2 * * *", timezone="Europe/London")
    # The night of 28 to 29 March 2026: clocks go forward at 01:00 GMT, so 02:00 that night is 01:00 UTC,
    # where the night before it was 02:00 UTC.
    pinged = datetime(2026, 3, 28, 2, 1, tzinfo=LONDON).astimezone(UTC)

    deadline = expected_by(rule, pinged, pinged)

    assert deadline.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 29, 2, 30)
    assert deadline == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_reason_says_since_when_in_local_time():
    rule = HeartbeatRule(grace=timedelta(minutes=30), cron="0 2 * * *", timezone="Europe/London")
    pinged = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 02:00 BST

    assert silence_reason(rule, pinged, pinged + timedelta(hours=3)) == "no ping since 02:00, grace 30 minutes"
    assert silence_reason(rule, None, pinged) == "no ping yet, grace 30 minutes"
    assert (
        silence_reason(rule, pinged, pinged + timedelta(days=2)) == "no ping since 2026-07-01 02:00, grace 30 minutes"
    )

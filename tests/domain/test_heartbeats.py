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


def test_the_clock_starts_at_the_later_of_the_last_run_and_when_watching_began():
    rule = HeartbeatRule(grace=timedelta(minutes=5), period=timedelta(hours=1))
    pinged = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    resumed = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # paused for two days, then resumed

    assert expected_by(rule, pinged, resumed) == datetime(2026, 3, 3, 9, 5, tzinfo=UTC)
    assert expected_by(rule, resumed + timedelta(minutes=30), resumed) == datetime(2026, 3, 3, 9, 35, tzinfo=UTC)


# On 25 October 2026 London's clocks go back at 02:00 BST to 01:00 GMT, so 01:00 to 02:00 happens twice.


def test_in_the_repeated_hour_the_next_run_of_a_frequent_job_is_after_the_ping():
    rule = HeartbeatRule(grace=timedelta(minutes=5), cron="*/15 * * * *", timezone="Europe/London")
    pinged = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)  # 01:15 for the second time (GMT)

    assert expected_by(rule, pinged, pinged) == datetime(2026, 10, 25, 1, 35, tzinfo=UTC)


def test_a_fixed_time_job_runs_once_in_the_repeated_hour_and_next_the_day_after():
    rule = HeartbeatRule(grace=timedelta(minutes=30), cron="30 1 * * *", timezone="Europe/London")
    first_pass = datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # 01:10 BST: the run at 01:30 BST is next
    second_pass = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)  # 01:20 GMT: that run was 50 minutes ago

    assert expected_by(rule, first_pass, first_pass) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert expected_by(rule, second_pass, second_pass) == datetime(2026, 10, 26, 2, 0, tzinfo=UTC)


def test_a_job_in_the_hour_skipped_in_spring_is_due_when_the_clocks_jump():
    # On 29 March 2026 London's clocks jump from 01:00 GMT to 02:00 BST: 01:30 never happens, and cron runs
    # the job at 02:00 BST (01:00 UTC) instead.
    rule = HeartbeatRule(grace=timedelta(minutes=30), cron="30 1 * * *", timezone="Europe/London")
    pinged = datetime(2026, 3, 28, 1, 31, tzinfo=UTC)

    assert expected_by(rule, pinged, pinged) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_the_grace_is_counted_in_real_time_across_a_clock_change():
    rule = HeartbeatRule(grace=timedelta(hours=3), cron="0 0 * * *", timezone="Europe/London")
    pinged = datetime(2026, 3, 28, 0, 1, tzinfo=UTC)

    # Due at midnight GMT; three hours later is 03:00 UTC, which is 04:00 on London's clocks that night.
    assert expected_by(rule, pinged, pinged) == datetime(2026, 3, 29, 3, 0, tzinfo=UTC)

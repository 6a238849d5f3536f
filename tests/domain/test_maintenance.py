"""Maintenance windows: which are on at an instant, and when each next starts and ends, across DST."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.maintenance import (
    Scope,
    active_at,
    next_end,
    next_start,
    occurrence_at,
    one_off,
    one_off_local,
    parse_recurrence,
    recurring,
)

PAAS = Scope(platforms=frozenset({"paas"}))
HOUR = timedelta(hours=1)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _tuesdays() -> object:
    return recurring("paas-patching", "Patching", PAAS, "FREQ=WEEKLY;BYDAY=TU", time(6, 0), HOUR, "Europe/London")


def test_a_weekly_window_is_on_from_its_start_until_its_end():
    window = _tuesdays()

    assert occurrence_at(window, _at(2026, 1, 13, 5, 59, 59)) is None
    assert occurrence_at(window, _at(2026, 1, 13, 6, 0)) is not None
    assert occurrence_at(window, _at(2026, 1, 13, 6, 59, 59)) is not None
    assert occurrence_at(window, _at(2026, 1, 13, 7, 0)) is None
    assert occurrence_at(window, _at(2026, 1, 14, 6, 30)) is None  # a Wednesday


def test_a_six_oclock_window_stays_at_six_local_through_summer_time():
    window = _tuesdays()

    summer = occurrence_at(window, _at(2026, 6, 16, 5, 0))  # 06:00 BST is 05:00 UTC
    winter = occurrence_at(window, _at(2026, 12, 15, 6, 0))

    assert summer is not None
    assert summer.starts_at.astimezone(ZoneInfo("Europe/London")).time() == time(6, 0)
    assert summer.starts_at.astimezone(UTC) == _at(2026, 6, 16, 5, 0)
    assert occurrence_at(window, _at(2026, 6, 16, 6, 0)) is None  # 07:00 BST: over
    assert winter is not None
    assert winter.starts_at.astimezone(UTC) == _at(2026, 12, 15, 6, 0)


def test_the_next_start_and_end_cross_the_change_to_summer_time():
    window = _tuesdays()
    # Tuesday 24 March 2026 is GMT; the clocks go forward on Sunday 29 March; Tuesday 31 March is BST.
    after_last_gmt = _at(2026, 3, 24, 7, 30)

    upcoming = next_start(window, after_last_gmt)

    assert upcoming is not None
    assert upcoming.starts_at.astimezone(UTC) == _at(2026, 3, 31, 5, 0)
    assert next_end(window, after_last_gmt) == _at(2026, 3, 31, 6, 0)


def test_the_next_end_of_a_window_that_is_on_is_its_own():
    window = _tuesdays()

    assert next_end(window, _at(2026, 1, 13, 6, 30)) == _at(2026, 1, 13, 7, 0)
    started = next_start(window, _at(2026, 1, 13, 6, 30))
    assert started is not None
    assert started.starts_at == _at(2026, 1, 20, 6, 0)


def test_a_window_starting_inside_the_spring_gap_starts_with_the_winter_offset():
    window = recurring("nightly", "Nightly", PAAS, "FREQ=DAILY", time(1, 30), HOUR, "Europe/London")

    # 01:30 does not exist on 29 March 2026 in London; read as 01:30 GMT, which is 02:30 BST.
    occurrence = next_start(window, _at(2026, 3, 29, 0, 0))

    assert occurrence is not None
    assert occurrence.starts_at.astimezone(UTC) == _at(2026, 3, 29, 1, 30)
    assert occurrence.ends_at.astimezone(UTC) == _at(2026, 3, 29, 2, 30)


def test_a_window_is_real_time_long_on_the_night_the_clocks_go_back():
    window = recurring("nightly", "Nightly", PAAS, "FREQ=DAILY", time(0, 30), 2 * HOUR, "Europe/London")

    occurrence = occurrence_at(window, _at(2026, 10, 25, 1, 0))

    assert occurrence is not None
    assert occurrence.starts_at.astimezone(UTC) == _at(2026, 10, 24, 23, 30)  # 00:30 BST
    assert occurrence.ends_at.astimezone(UTC) == _at(2026, 10, 25, 1, 30)  # 01:30 GMT, two real hours on
    assert occurrence_at(window, _at(2026, 10, 25, 1, 30)) is None


def test_a_monthly_rule_on_the_first_sunday():
    window = recurring("m", "Monthly", PAAS, "FREQ=MONTHLY;BYDAY=1SU", time(2, 0), 3 * HOUR, "UTC")

    upcoming = next_start(window, _at(2026, 11, 26, 12, 0))

    assert upcoming is not None
    assert upcoming.starts_at == _at(2026, 12, 6, 2, 0)


def test_every_other_week_counts_from_the_anchor():
    window = recurring("f", "Fortnightly", PAAS, "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", time(6, 0), HOUR, "UTC")

    starts = []
    after = _at(2026, 1, 1)
    for _ in range(3):
        upcoming = next_start(window, after)
        assert upcoming is not None
        starts.append(upcoming.starts_at.date().isoformat())
        after = upcoming.starts_at

    # 1 January 2024 is a Monday, and 2026-01-12 is 106 weeks after it.
    assert starts == ["2026-01-12", "2026-01-26", "2026-02-09"]


@given(st.datetimes(min_value=datetime(2024, 3, 1), max_value=datetime(2060, 1, 1)))
def test_the_shortcut_finds_the_same_occurrences_as_iterating_from_the_anchor(naive):
    at = naive.replace(tzinfo=UTC)
    window = recurring(
        "w", "W", PAAS, "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SA;WKST=SU", time(22, 0), 30 * HOUR, "Europe/London"
    )
    anchored = window._rule
    assert anchored is not None
    zone = ZoneInfo("Europe/London")
    local_at = at.astimezone(zone).replace(tzinfo=None)
    nearby = anchored.between(local_at - timedelta(days=3), local_at + timedelta(days=1), inc=True)

    starts = [local.replace(tzinfo=zone).astimezone(UTC) for local in nearby]
    expected = [start for start in starts if start <= at < start + 30 * HOUR]
    found = occurrence_at(window, at)

    assert (found.starts_at if found else None) == (min(expected) if expected else None)


def test_a_rule_with_until_stops():
    window = recurring("u", "U", PAAS, "FREQ=DAILY;UNTIL=20261231T235959", time(6, 0), HOUR, "UTC")

    assert occurrence_at(window, _at(2026, 12, 31, 6, 30)) is not None
    assert occurrence_at(window, _at(2027, 1, 1, 6, 30)) is None
    assert next_start(window, _at(2027, 1, 1)) is None
    assert next_end(window, _at(2027, 1, 1)) is None


def test_a_one_off_window_and_its_cancellation():
    window = one_off("runtime:1", "Upgrade", PAAS, _at(2026, 5, 1, 10), _at(2026, 5, 1, 12))
    cancelled = one_off(
        "runtime:2", "Upgrade", PAAS, _at(2026, 5, 1, 10), _at(2026, 5, 1, 12), cancelled_at=_at(2026, 5, 1, 11)
    )
    never = one_off(
        "runtime:3", "Upgrade", PAAS, _at(2026, 5, 1, 10), _at(2026, 5, 1, 12), cancelled_at=_at(2026, 5, 1, 9)
    )

    assert occurrence_at(window, _at(2026, 5, 1, 11, 30)) is not None
    assert occurrence_at(cancelled, _at(2026, 5, 1, 11, 30)) is None
    assert next_end(cancelled, _at(2026, 5, 1, 10, 30)) == _at(2026, 5, 1, 11)
    assert next_start(never, _at(2026, 5, 1, 9, 30)) is None
    assert next_start(window, _at(2026, 5, 1, 10)) is None  # already started


def test_a_catalog_one_off_window_is_in_its_timezone():
    window = one_off_local("w", "W", PAAS, datetime(2026, 7, 1, 6, 0), HOUR, "Europe/London", False)

    assert occurrence_at(window, _at(2026, 7, 1, 5, 30)) is not None
    assert occurrence_at(window, _at(2026, 7, 1, 6, 30)) is None
    assert window.timezone == "Europe/London"


def test_active_at_lists_only_the_windows_on():
    on = one_off("runtime:1", "On", PAAS, _at(2026, 5, 1, 10), _at(2026, 5, 1, 12))
    off = one_off("runtime:2", "Off", PAAS, _at(2026, 5, 2, 10), _at(2026, 5, 2, 12))

    assert [o.window.id for o in active_at([on, off, _tuesdays()], _at(2026, 5, 1, 11))] == ["runtime:1"]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("FREQ=SOMETIMES", "unknown FREQ 'SOMETIMES'"),
        ("BYDAY=TU", "FREQ is missing"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY'"),
        ("FREQ=WEEKLY", "say which days"),
        ("FREQ=HOURLY", "picks days"),
        ("FREQ=DAILY;BYHOUR=6", "picks days"),
        ("FREQ=DAILY;COUNT=3", "COUNT needs a first date"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be 1 or more"),
        ("FREQ=DAILY;UNTIL=20270101T000000Z", "without the Z"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=DAILY;UNTIL=20230101", "never happens"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "without DTSTART"),
        ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given twice"),
        ("nonsense", "is not NAME=VALUE"),
    ],
)
def test_rules_that_cannot_work_are_refused_with_the_reason(rule, problem):
    with pytest.raises(ValueError, match=problem):
        parse_recurrence(rule)


def test_rules_are_normalised():
    assert parse_recurrence(" rrule:freq=weekly;byday=tu ") == "FREQ=WEEKLY;BYDAY=TU"


def test_windows_need_aware_instants_and_a_positive_length():
    with pytest.raises(ValueError, match="aware"):
        one_off("w", "W", PAAS, datetime(2026, 1, 1), _at(2026, 1, 2))
    with pytest.raises(ValueError, match="end after it starts"):
        one_off("w", "W", PAAS, _at(2026, 1, 2), _at(2026, 1, 1))
    with pytest.raises(ValueError, match="longer than zero"):
        recurring("w", "W", PAAS, "FREQ=DAILY", time(6), timedelta(0), "UTC")

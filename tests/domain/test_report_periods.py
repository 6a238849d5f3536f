"""Report periods: whole local days in the organisation's timezone, quarters, and what is refused."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.report_periods import (
    PeriodProblem,
    days_between,
    last_days,
    parse_day,
    parse_quarter,
    quarter,
    quarter_of,
    recent_quarters,
)

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "UTC")


def test_the_default_is_the_28_days_that_end_with_today():
    period = last_days(date(2026, 11, 26), "UTC")

    assert (period.first_day, period.last_day, period.days) == (date(2026, 10, 30), date(2026, 11, 26), 28)
    assert (period.start, period.end) == (datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))
    assert period.label == "30 October 2026 to 26 November 2026"
    assert period.slug == "2026-10-30-to-2026-11-26"


def test_days_run_from_local_midnight_so_a_period_across_the_clock_change_is_an_hour_longer():
    # London left summer time on 25 October 2026.
    period = days_between(date(2026, 10, 1), date(2026, 10, 31), "Europe/London")

    assert period.start == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert period.end - period.start == timedelta(days=31, hours=1)


def test_a_quarter_is_three_calendar_months_in_local_days():
    q1 = quarter(2026, 1, "Europe/London")
    q4 = parse_quarter("2026q4", "Australia/Sydney")

    assert (q1.first_day, q1.last_day, q1.quarter) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1")
    assert q1.end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC), "1 April starts at midnight BST"
    assert q4.start == datetime(2026, 9, 30, 14, 0, tzinfo=UTC), "midnight in Sydney, ten hours ahead in spring"
    assert q4.label == "2026-Q4 (1 October 2026 to 31 December 2026)"
    assert q4.slug == "2026-Q4"


@given(st.integers(min_value=1971, max_value=2200), st.sampled_from(ZONES))
def test_quarters_tile_the_year_with_no_gap_and_no_overlap(year, zone):
    quarters = [quarter(year, n, zone) for n in (1, 2, 3, 4)]

    assert quarters[0].first_day == date(year, 1, 1)
    assert quarters[3].last_day == date(year, 12, 31)
    for before, after in pairwise(quarters):
        assert before.end == after.start
        assert before.last_day + timedelta(days=1) == after.first_day
    assert quarter(year + 1, 1, zone).start == quarters[3].end


@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2200, 12, 31)), st.sampled_from(ZONES))
def test_the_quarter_of_a_day_holds_it(day, zone):
    period = parse_quarter(quarter_of(day), zone)

    assert period.first_day <= day <= period.last_day


def test_recent_quarters_run_back_across_years():
    assert recent_quarters(date(2026, 2, 10), 3) == ["2026-Q1", "2025-Q4", "2025-Q3"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: days_between(date(2026, 2, 1), date(2026, 1, 1), "UTC"), "the last day, 2026-01-01, is before"),
        (lambda: days_between(date(2025, 1, 1), date(2026, 1, 2), "UTC"), "367 days is too long"),
        (lambda: last_days(date(9999, 12, 31), "UTC"), "out of the range of days"),
        (lambda: days_between(date(1, 1, 1), date(1, 1, 2), "Australia/Sydney"), "out of the range of days"),
        (lambda: parse_quarter("Q4 2026", "UTC"), "'Q4 2026' is not a quarter: write it as YYYY-QN"),
        (lambda: parse_quarter("2026-Q0", "UTC"), "is not a quarter"),
        (lambda: quarter(2026, 5, "UTC"), "quarters 1 to 4, not 5"),
        (lambda: parse_day("26/11/2026", "from"), "from: '26/11/2026' is not a day: write it as YYYY-MM-DD"),
    ],
)
def test_a_period_that_cannot_be_reported_on_says_why(make, message):
    with pytest.raises(PeriodProblem) as problem:
        make()

    assert message in str(problem.value)


def test_a_year_of_days_is_allowed_even_a_leap_year():
    assert days_between(date(2028, 1, 1), date(2028, 12, 31), "UTC").days == 366

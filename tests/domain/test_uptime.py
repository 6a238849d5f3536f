"""Uptime by UTC day from day, hour and minute figures: finished periods from rollups, the rest from finer
figures, and days without results as no data rather than 100%."""

from datetime import UTC, date, datetime, timedelta

import pytest

from watchkeeper.domain.response_times import RawResult, minutes_from_results, percentile
from watchkeeper.domain.uptime import UPTIME_DAYS, Tally, span_total, uptime_days

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)
TODAY = date(2026, 11, 26)
MIDNIGHT = datetime(2026, 11, 26, tzinfo=UTC)


def by_day(days):
    return {entry.day: entry.tally for entry in days}


def test_there_is_one_entry_per_utc_day_ending_today():
    days = uptime_days({}, {}, {}, NOW)

    assert len(days) == UPTIME_DAYS
    assert days[0].day == TODAY - timedelta(days=89)
    assert days[-1].day == TODAY


def test_finished_days_come_from_day_rollups_and_days_without_any_are_no_data():
    figures = {TODAY - timedelta(days=1): Tally(1440, 1), TODAY - timedelta(days=3): Tally(1440, 0)}

    days = by_day(uptime_days(figures, {}, {}, NOW))

    assert days[TODAY - timedelta(days=1)] == Tally(1440, 1)
    assert days[TODAY - timedelta(days=3)] == Tally(1440, 0)
    assert days[TODAY - timedelta(days=2)] is None


def test_a_rollup_with_no_results_is_no_data_not_a_perfect_day():
    days = by_day(uptime_days({TODAY - timedelta(days=1): Tally(0, 0)}, {}, {}, NOW))

    assert days[TODAY - timedelta(days=1)] is None


def test_today_is_its_finished_hours_plus_the_minutes_of_the_current_hour():
    hours = {MIDNIGHT + timedelta(hours=h): Tally(60, 1 if h == 3 else 0) for h in range(14)}
    minutes = {MIDNIGHT + timedelta(hours=14, minutes=m): Tally(1, 0) for m in range(6)}

    days = by_day(uptime_days({}, hours, minutes, NOW))

    assert days[TODAY] == Tally(14 * 60 + 6, 1)


def test_an_hour_without_its_rollup_is_summed_from_its_minutes():
    hours = {MIDNIGHT + timedelta(hours=h): Tally(60, 0) for h in range(13)}  # 13:00 not rolled up yet
    minutes = {MIDNIGHT + timedelta(hours=13, minutes=m): Tally(2, 1) for m in range(60)}

    days = by_day(uptime_days({}, hours, minutes, NOW))

    assert days[TODAY] == Tally(13 * 60 + 120, 60)


def test_a_rollup_of_the_current_hour_or_day_is_ignored_as_unfinished():
    current_hour = {MIDNIGHT + timedelta(hours=14): Tally(999, 999)}
    today = {TODAY: Tally(5, 5)}
    minutes = {MIDNIGHT + timedelta(hours=14, minutes=2): Tally(4, 0)}

    days = by_day(uptime_days(today, current_hour, minutes, NOW))

    assert days[TODAY] == Tally(4, 0)


def test_yesterday_before_its_day_rollup_is_read_from_its_hours():
    yesterday = MIDNIGHT - timedelta(days=1)
    hours = {yesterday + timedelta(hours=h): Tally(120, 2) for h in range(24)}

    days = by_day(uptime_days({}, hours, {}, NOW))

    assert days[TODAY - timedelta(days=1)] == Tally(2880, 48)


def test_the_span_total_leaves_out_days_without_data():
    days = uptime_days(
        {TODAY - timedelta(days=1): Tally(1000, 10), TODAY - timedelta(days=2): Tally(1000, 0)}, {}, {}, NOW
    )

    assert span_total(days) == Tally(2000, 10)
    assert span_total(days).share_up == pytest.approx(0.995)
    assert Tally().share_up is None


def test_percentiles_are_nearest_rank_values_that_were_measured():
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_raw_results_become_minutes_timed_by_every_result_with_a_time_as_rollups_are():
    start = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    results = [
        RawResult(start + timedelta(seconds=5), True, 100.0),
        RawResult(start + timedelta(seconds=25), True, 300.0),
        RawResult(start + timedelta(seconds=45), False, 10000.0),  # a timeout is slow, as in the rollups
        RawResult(start + timedelta(minutes=1, seconds=1), False, None),
    ]

    first, second = minutes_from_results(results)

    assert (first.start, first.count, first.failures, first.p50_ms, first.p95_ms) == (start, 3, 1, 300.0, 10000.0)
    assert (second.start, second.count, second.failures, second.p50_ms) == (start + timedelta(minutes=1), 1, 1, None)

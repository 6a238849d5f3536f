"""The words and geometry of the uptime bar and the response-time chart, without a server."""

from datetime import UTC, date, datetime, timedelta

import pytest

from watchkeeper.domain.response_times import MinuteFigures
from watchkeeper.domain.uptime import Tally, UptimeDay
from watchkeeper.services.history import CheckHistory
from watchkeeper.web.console.charts import (
    nice_ceiling,
    response_chart,
    segment_title,
    uptime_bar,
    uptime_level,
)
from watchkeeper.web.console.formats import elapsed, milliseconds, percent_up

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)
START = datetime(2026, 11, 25, 14, 5, tzinfo=UTC)


def history(days=None, minutes=None):
    days = days or [UptimeDay(date(2026, 11, 26) - timedelta(days=89 - i), None) for i in range(90)]
    return CheckHistory("c", days, minutes or [], START, NOW)


@pytest.mark.parametrize(
    ("tally", "text"),
    [
        (Tally(1440, 0), "100%"),
        (Tally(1440, 1), "99.93%"),
        (Tally(1_000_000, 1), "99.99%"),  # rounded down: a failure never reads as 100%
        (Tally(3, 3), "0.00%"),
        (Tally(0, 0), "no data"),
    ],
)
def test_uptime_is_rounded_down_to_two_decimals(tally, text):
    assert percent_up(tally) == text


def test_each_day_has_a_title_with_its_share_failures_and_results():
    day = UptimeDay(date(2026, 11, 20), Tally(1440, 1))

    assert segment_title(day, date(2026, 11, 26)) == "2026-11-20: 99.93% up, 1 failure of 1,440"
    assert segment_title(UptimeDay(date(2026, 11, 21), None), date(2026, 11, 26)) == "2026-11-21: no data"
    today = UptimeDay(date(2026, 11, 26), Tally(600, 0))
    assert segment_title(today, date(2026, 11, 26)) == "2026-11-26 (today so far): 100% up, 0 failures of 600"


@pytest.mark.parametrize(
    ("tally", "level"),
    [(None, "none"), (Tally(10, 0), "full"), (Tally(1000, 10), "high"), (Tally(100, 5), "low"), (Tally(100, 6), "bad")],
)
def test_each_day_is_coloured_by_its_share_up(tally, level):
    assert uptime_level(tally) == level


def test_the_bar_sums_days_with_data_and_counts_days_without():
    days = [UptimeDay(date(2026, 11, 26) - timedelta(days=89 - i), Tally(100, 0)) for i in range(90)]
    days[10] = UptimeDay(days[10].day, None)
    days[20] = UptimeDay(days[20].day, Tally(100, 50))

    bar = uptime_bar(history(days), "Home page")

    assert len(bar.segments) == 90
    assert bar.percent == "99.43%"  # 8,850 of 8,900
    assert bar.days_without_data == 1
    assert [s.day for s in bar.days_with_failures] == [days[20].day]
    assert "1 day has no data" in bar.summary
    assert bar.segments[20].level == "bad"
    assert bar.segments[0].x < bar.segments[1].x < bar.segments[89].x < bar.width


def test_a_check_without_results_says_so():
    bar = uptime_bar(history(), "New check")

    assert bar.percent == "no data"
    assert bar.summary == "No results in the last 90 days."
    assert response_chart(history(), 60, "New check").has_data is False


def minute(at, p50=100.0, p95=200.0, failures=0, count=2):
    return MinuteFigures(at, count, failures, p50, p95)


def test_a_gap_longer_than_the_interval_allows_breaks_the_line():
    minutes = [minute(START + timedelta(minutes=n)) for n in (0, 1, 2, 30, 31)]

    chart = response_chart(history(minutes=minutes), 60, "Home page")

    assert [len(run) for run in chart.p50] == [3, 2]
    assert [len(run) for run in chart.p95] == [3, 2]


def test_an_hourly_check_is_joined_across_its_hours():
    minutes = [minute(START + timedelta(hours=n)) for n in range(5)]

    chart = response_chart(history(minutes=minutes), 3600, "Certificate")

    assert [len(run) for run in chart.p50] == [5]


def test_consecutive_failing_minutes_are_one_band_with_their_counts():
    minutes = [minute(START + timedelta(minutes=n), failures=1 if n in (5, 6, 9) else 0) for n in range(12)]

    chart = response_chart(history(minutes=minutes), 30, "Home page")

    assert [band.title for band in chart.failures] == [
        "14:10–14:12 UTC: 2 failures of 4 results",
        "14:14 UTC: 1 failure of 2 results",
    ]


def test_the_scale_fits_the_slowest_p95_and_points_stay_inside_the_plot():
    minutes = [minute(START + timedelta(minutes=n), p50=100.0 + n, p95=300.0 + 10 * n) for n in range(60)]

    chart = response_chart(history(minutes=minutes), 60, "Home page")

    assert chart.y_ticks[-1].label == "1.00 s"  # 890 ms rounds up to a whole second
    points = [point for run in chart.p50 + chart.p95 for point in run]
    assert all(chart.left <= p.x <= chart.right and chart.top <= p.y <= chart.bottom for p in points)
    assert [row.results for row in chart.hours] == [110, 10]  # 14:05-14:59 and 15:00-15:04
    assert chart.hours[0].p95_ms == 300.0 + 10 * 54


@pytest.mark.parametrize(("value", "ceiling"), [(0, 100), (87, 100), (101, 200), (230, 250), (3100, 5000), (0.4, 0.5)])
def test_the_scale_rounds_up_to_a_readable_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_lengths_of_time_and_response_times_read_naturally():
    assert elapsed(NOW - timedelta(hours=2, minutes=5, seconds=3), NOW) == "2 hours 5 minutes"
    assert elapsed(NOW - timedelta(days=1, seconds=40), NOW) == "1 day"
    assert elapsed(NOW - timedelta(seconds=45), NOW) == "45 seconds"
    assert elapsed(NOW, NOW) == "under a second"
    assert milliseconds(123.4) == "123 ms"
    assert milliseconds(1534.0) == "1.53 s"
    assert milliseconds(None) == "–"

"""The geometry and words of the console's two charts, drawn by the templates as inline SVG: no script, a title
and a description for assistive technology, and a table of the same figures beside each chart.

- The uptime bar: one segment per UTC day for 90 days, coloured by the share of results that passed, grey for
  days with no data, each with its own title ("2026-11-20: 99.93% up, 1 failure of 1,440").
- The response-time chart: the median and the 95th percentile of each minute over 24 hours, with the minutes
  that had failures marked as bands behind the lines.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from watchkeeper.domain.response_times import MinuteFigures, percentile
from watchkeeper.domain.uptime import MINUTE, Tally, UptimeDay, floor_hour
from watchkeeper.services.history import CheckHistory
from watchkeeper.web.console.formats import count, failures_of, milliseconds, percent_up

UPTIME_LEVELS = (
    ("full", "100%"),
    ("high", "99% to 99.99%"),
    ("low", "95% to 98.99%"),
    ("bad", "below 95%"),
    ("none", "no data"),
)
"""Each colour of the uptime bar and what it means, for the legend."""


@dataclass(frozen=True)
class Segment:
    day: date
    tally: Tally | None
    x: float
    width: float
    level: str
    title: str


@dataclass(frozen=True)
class UptimeBar:
    title: str
    summary: str
    percent: str
    total: Tally
    segments: list[Segment]
    width: int
    height: int

    @property
    def days_with_failures(self) -> list[Segment]:
        """Newest first, for the table beside the bar."""
        return [s for s in reversed(self.segments) if s.tally is not None and s.tally.failures]

    @property
    def days_without_data(self) -> int:
        return sum(1 for s in self.segments if s.tally is None)


def uptime_level(tally: Tally | None) -> str:
    share = None if tally is None else tally.share_up
    if tally is None or share is None:
        return "none"
    if tally.failures == 0:
        return "full"
    if share >= 0.99:
        return "high"
    return "low" if share >= 0.95 else "bad"


def segment_title(day: UptimeDay, today: date) -> str:
    label = day.day.isoformat() + (" (today so far)" if day.day == today else "")
    if day.tally is None:
        return f"{label}: no data"
    return f"{label}: {percent_up(day.tally)} up, {failures_of(day.tally)}"


def uptime_bar(history: CheckHistory, check_label: str, width: int = 900, height: int = 34) -> UptimeBar:
    days = history.days
    today = history.now.date()
    step = width / len(days)
    gap = min(2.0, step / 4)
    segments = [
        Segment(
            day.day,
            day.tally,
            round(i * step, 2),
            round(step - gap, 2),
            uptime_level(day.tally),
            segment_title(day, today),
        )
        for i, day in enumerate(days)
    ]
    total = history.uptime
    return UptimeBar(
        title=f"Uptime of {check_label} over {len(days)} days",
        summary=_uptime_summary(total, segments),
        percent=percent_up(total),
        total=total,
        segments=segments,
        width=width,
        height=height,
    )


def _uptime_summary(total: Tally, segments: list[Segment]) -> str:
    if total.count == 0:
        return f"No results in the last {len(segments)} days."
    failing = [s for s in segments if s.tally is not None and s.tally.failures]
    empty = sum(1 for s in segments if s.tally is None)
    words = [f"{percent_up(total)} of {count(total.count)} results passed over {len(segments)} days."]
    if failing:
        worst = min(failing, key=_share)
        days = "1 day" if len(failing) == 1 else f"{len(failing)} days"
        words.append(f"{days} with failures; the worst, {worst.title}.")
    else:
        words.append("No failures.")
    if empty:
        words.append(f"{'1 day has' if empty == 1 else f'{empty} days have'} no data.")
    return " ".join(words)


def _share(segment: Segment) -> float:
    share = None if segment.tally is None else segment.tally.share_up
    return 1.0 if share is None else share


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    title: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class HourRow:
    hour: datetime
    results: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None


@dataclass(frozen=True)
class ResponseChart:
    title: str
    summary: str
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    p50: list[list[Point]]
    """Runs of points to join; a run of one point is drawn as a dot. A gap longer than the check's interval
    allows breaks the line, so missing data never looks like a steady response."""
    p95: list[list[Point]]
    failures: list[Band]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    hours: list[HourRow]

    @property
    def has_data(self) -> bool:
        return bool(self.hours)


@dataclass(frozen=True)
class _Frame:
    start: datetime
    span: timedelta
    left: int
    top: int
    right: int
    bottom: int
    y_max: float

    def x(self, at: datetime) -> float:
        share = (at - self.start) / self.span
        return round(self.left + share * (self.right - self.left), 1)

    def y(self, ms: float) -> float:
        return round(self.bottom - min(ms, self.y_max) / self.y_max * (self.bottom - self.top), 1)


def response_chart(
    history: CheckHistory, interval_seconds: float, check_label: str, width: int = 960, height: int = 240
) -> ResponseChart:
    minutes = history.minutes
    timed = [m for m in minutes if m.p95_ms is not None or m.p50_ms is not None]
    highest = max((m.p95_ms or m.p50_ms or 0.0 for m in timed), default=0.0)
    span = history.now - history.chart_start + MINUTE  # the current minute, from raw results, is drawn too
    frame = _Frame(history.chart_start, span, 64, 12, width - 12, height - 30, nice_ceiling(highest))
    gap = max(timedelta(minutes=5), timedelta(seconds=interval_seconds * 2.5))
    return ResponseChart(
        title=f"Response times of {check_label} over the last 24 hours",
        summary=_response_summary(minutes, history.now),
        width=width,
        height=height,
        left=frame.left,
        top=frame.top,
        right=frame.right,
        bottom=frame.bottom,
        p50=_runs([m for m in timed if m.p50_ms is not None], "p50", frame, gap),
        p95=_runs([m for m in timed if m.p95_ms is not None], "p95", frame, gap),
        failures=_failure_bands(minutes, frame),
        y_ticks=[Tick(frame.y(frame.y_max * i / 4), milliseconds(frame.y_max * i / 4)) for i in range(5)],
        x_ticks=_hour_ticks(frame),
        hours=_hour_rows(minutes),
    )


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten at or above `value` (100 ms for no data)."""
    if value <= 0:
        return 100.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(multiple * power for multiple in (1, 2, 2.5, 5, 10) if value <= multiple * power)


def _runs(minutes: list[MinuteFigures], which: str, frame: _Frame, gap: timedelta) -> list[list[Point]]:
    runs: list[list[Point]] = []
    previous: datetime | None = None
    for minute in minutes:
        value = minute.p50_ms if which == "p50" else minute.p95_ms
        assert value is not None
        point = Point(frame.x(minute.start + MINUTE / 2), frame.y(value))
        if previous is None or minute.start - previous > gap:
            runs.append([])
        runs[-1].append(point)
        previous = minute.start
    return runs


def _failure_bands(minutes: list[MinuteFigures], frame: _Frame) -> list[Band]:
    """Consecutive minutes with failures become one band, titled with its times and counts."""
    bands: list[tuple[datetime, datetime, Tally]] = []
    for minute in (m for m in minutes if m.failures):
        if bands and bands[-1][1] == minute.start:
            first, _end, tally = bands[-1]
            bands[-1] = (first, minute.start + MINUTE, tally + minute.tally)
        else:
            bands.append((minute.start, minute.start + MINUTE, minute.tally))
    return [
        Band(frame.x(first), max(2.0, round(frame.x(end) - frame.x(first), 1)), _band_title(first, end, tally))
        for first, end, tally in bands
    ]


def _band_title(first: datetime, end: datetime, tally: Tally) -> str:
    span = first.strftime("%H:%M") + ("" if end - first == MINUTE else "–" + end.strftime("%H:%M"))
    return f"{span} UTC: {failures_of(tally)} results"


def _hour_ticks(frame: _Frame) -> list[Tick]:
    ticks = []
    hour = floor_hour(frame.start) + timedelta(hours=1)
    while hour < frame.start + frame.span:
        if hour.hour % 3 == 0:
            ticks.append(Tick(frame.x(hour), hour.strftime("%H:%M")))
        hour += timedelta(hours=1)
    return ticks


def _hour_rows(minutes: list[MinuteFigures]) -> list[HourRow]:
    """Each hour's results and failures, its minutes' median p50 and its slowest minute's p95."""
    grouped: dict[datetime, list[MinuteFigures]] = defaultdict(list)
    for minute in minutes:
        grouped[floor_hour(minute.start)].append(minute)
    rows = []
    for hour in sorted(grouped):
        group = grouped[hour]
        medians = sorted(m.p50_ms for m in group if m.p50_ms is not None)
        slowest = max((m.p95_ms for m in group if m.p95_ms is not None), default=None)
        rows.append(
            HourRow(
                hour,
                sum(m.count for m in group),
                sum(m.failures for m in group),
                percentile(medians, 0.5) if medians else None,
                slowest,
            )
        )
    return rows


def _response_summary(minutes: list[MinuteFigures], now: datetime) -> str:
    if not minutes:
        return "No results in the last 24 hours."
    words = [f"Over the 24 hours to {now.strftime('%H:%M')} UTC:"]
    medians = [m.p50_ms for m in minutes if m.p50_ms is not None]
    slowest = max((m for m in minutes if m.p95_ms is not None), key=lambda m: m.p95_ms or 0.0, default=None)
    if medians and slowest is not None:
        words.append(f"the median response time was between {milliseconds(min(medians))} and")
        words.append(f"{milliseconds(max(medians))} a minute; the highest 95th percentile was")
        words.append(f"{milliseconds(slowest.p95_ms)}, at {slowest.start.strftime('%H:%M')} UTC.")
    else:
        words.append("no result had a response time.")
    results = sum(m.count for m in minutes)
    failures = sum(m.failures for m in minutes)
    minutes_failing = sum(1 for m in minutes if m.failures)
    if failures:
        in_minutes = "1 minute" if minutes_failing == 1 else f"{count(minutes_failing)} minutes"
        words.append(f"{count(failures)} of {count(results)} results failed, in {in_minutes}.")
    else:
        words.append(f"All {count(results)} results passed.")
    return " ".join(words)

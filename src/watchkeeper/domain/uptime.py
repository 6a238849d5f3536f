"""Uptime by UTC day, pieced together from rollups of three sizes and the latest minutes. Pure: `now` comes in.

A finished day is read from its day rollup. A day without one (today, or yesterday before the rollup pass has
closed it) is the sum of its hours: an hour rollup where a finished hour has one, else the minutes of that
hour. Only finished periods are read from rollups, so a rollup pass that writes the current period as it goes
is never counted twice or read half-done. A day with no results at all is "no data", never 100%.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

UPTIME_DAYS = 90
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Tally:
    """How many results there were and how many failed."""

    count: int = 0
    failures: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.count + other.count, self.failures + other.failures)

    @property
    def share_up(self) -> float | None:
        """The share of results that passed, from 0 to 1; None when there were none."""
        return None if self.count == 0 else (self.count - self.failures) / self.count


@dataclass(frozen=True, slots=True)
class UptimeDay:
    day: date
    tally: Tally | None
    """None when the check has no results that day."""


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def floor_minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def uptime_days(
    days: Mapping[date, Tally],
    hours: Mapping[datetime, Tally],
    minutes: Mapping[datetime, Tally],
    now: datetime,
    span: int = UPTIME_DAYS,
) -> list[UptimeDay]:
    """One entry per UTC day, oldest first, ending with today (which runs up to `now`)."""
    today = now.astimezone(UTC).date()
    minutes_by_hour = _by_hour(minutes)
    result = []
    for offset in range(span - 1, -1, -1):
        day = today - timedelta(days=offset)
        tally = days.get(day) if day < today else None
        if tally is None:
            tally = _from_hours(day, hours, minutes_by_hour, now)
        result.append(UptimeDay(day, tally if tally is not None and tally.count else None))
    return result


def _by_hour(minutes: Mapping[datetime, Tally]) -> dict[datetime, Tally]:
    grouped: dict[datetime, Tally] = {}
    for minute, tally in minutes.items():
        hour = floor_hour(minute)
        grouped[hour] = grouped.get(hour, Tally()) + tally
    return grouped


def _from_hours(
    day: date, hours: Mapping[datetime, Tally], minutes_by_hour: Mapping[datetime, Tally], now: datetime
) -> Tally | None:
    current_hour = floor_hour(now)
    summed: Tally | None = None
    start = day_start(day)
    for index in range(24):
        hour = start + index * HOUR
        if hour > current_hour:
            break
        tally = hours.get(hour) if hour < current_hour else None
        if tally is None:
            tally = minutes_by_hour.get(hour)
        if tally is not None:
            summed = tally if summed is None else summed + tally
    return summed


def span_total(days: list[UptimeDay]) -> Tally:
    """The whole span's tally: days with no data count for nothing either way."""
    return sum((d.tally for d in days if d.tally is not None), Tally())

"""Each check's history for its page: 90 days of uptime by UTC day and 24 hours of response times by minute.

Rollups are the source (the rollup pass writes them); raw results fill only the minutes after each check's
latest minute rollup, so a page costs the same whether a check runs every second or every hour.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from watchkeeper.domain.response_times import MinuteFigures, minutes_from_results
from watchkeeper.domain.uptime import (
    MINUTE,
    UPTIME_DAYS,
    Tally,
    UptimeDay,
    day_start,
    floor_hour,
    floor_minute,
    span_total,
    uptime_days,
)
from watchkeeper.store import history

CHART_SPAN = timedelta(hours=24)


@dataclass(frozen=True)
class CheckHistory:
    check_id: str
    days: list[UptimeDay]
    """UPTIME_DAYS entries, oldest first, ending with today."""
    minutes: list[MinuteFigures]
    """The last 24 hours by minute, oldest first; minutes without results are absent."""
    chart_start: datetime
    now: datetime

    @property
    def uptime(self) -> Tally:
        return span_total(self.days)


def read_histories(connection: Connection, check_ids: Collection[str], now: datetime) -> dict[str, CheckHistory]:
    """Histories of these checks: four queries in all, however many checks there are."""
    now = now.astimezone(UTC)
    today = now.date()
    current_minute = floor_minute(now)
    chart_start = current_minute - CHART_SPAN
    first_day = day_start(today - timedelta(days=UPTIME_DAYS - 1))
    days = history.day_tallies(connection, check_ids, first_day, day_start(today))
    hours = history.hour_tallies(connection, check_ids, day_start(today - timedelta(days=1)), floor_hour(now))
    rolled = history.minute_figures(connection, check_ids, chart_start, current_minute)
    raw = history.results_since(connection, {c: _unrolled_from(rolled.get(c), chart_start) for c in check_ids})
    found = {}
    for check_id in check_ids:
        minutes = [*rolled.get(check_id, []), *minutes_from_results(raw.get(check_id, []))]
        tallies = {minute.start: minute.tally for minute in minutes}
        uptime = uptime_days(days.get(check_id, {}), hours.get(check_id, {}), tallies, now)
        found[check_id] = CheckHistory(check_id, uptime, minutes, chart_start, now)
    return found


def _unrolled_from(rolled: list[MinuteFigures] | None, chart_start: datetime) -> datetime:
    """Where raw results take over: after the latest minute rollup (read only up to the current minute)."""
    return rolled[-1].start + MINUTE if rolled else chart_start

"""How the console writes times, lengths of time, response times, counts and uptime. Times are UTC, as the
uptime days are, and say so; on-call times are in their schedule's timezone, with its abbreviation."""

import json
import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from watchkeeper.domain.uptime import Tally

_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def utc_time(at: datetime | None) -> str:
    return "–" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def elapsed(since: datetime | None, now: datetime) -> str:
    """A length of time in words with its two largest units: '3 days 2 hours', '5 minutes 10 seconds'."""
    if since is None:
        return "–"
    seconds = max(0, int((now - since).total_seconds()))
    if seconds == 0:
        return "under a second"
    parts = []
    for name, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
        if len(parts) == 2 or (parts and not count):
            break
    return " ".join(parts)


def milliseconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.2f} s"


def count(value: int) -> str:
    return f"{value:,}"


def percent_up(tally: Tally) -> str:
    """The share that passed, rounded down to two decimals, so one failure in a million never reads 100%."""
    share = tally.share_up
    if share is None:
        return "no data"
    if tally.failures == 0:
        return "100%"
    return f"{math.floor(share * 10000) / 100:.2f}%"


def failures_of(tally: Tally) -> str:
    noun = "failure" if tally.failures == 1 else "failures"
    return f"{count(tally.failures)} {noun} of {count(tally.count)}"


def local_time(at: datetime | None, zone: str, date_too: bool = True) -> str:
    """An instant in a schedule's timezone with the zone's abbreviation, which says GMT or BST (summer time):
    'Wed 2 Dec 09:30 GMT', or '09:30 GMT' without the date."""
    if at is None:
        return "–"
    local = at.astimezone(ZoneInfo(zone))
    clock = f"{local:%H:%M} {local.tzname()}"
    return f"{local:%a} {local.day} {local:%b} {clock}" if date_too else clock


def local_input(at: datetime | None, zone: str) -> str:
    """An instant as a form field holds it: '2026-12-02 09:30' in the schedule's timezone."""
    return "" if at is None else at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


AUDIT_VALUE_LIMIT = 300


def audit_value(value: object) -> str:
    """A value from an audit entry's before or after, as a person reads it: text as it is, anything else as
    compact JSON, cut short past a few lines (the entry's own page shows it whole)."""
    if value is None:
        return "none"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= AUDIT_VALUE_LIMIT else text[: AUDIT_VALUE_LIMIT - 1] + "…"


def audit_document(value: object) -> str:
    """A whole before or after, indented."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=str)

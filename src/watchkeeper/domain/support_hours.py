"""Support hours: whether an instant is "in hours" for the organisation.

In hours means: on one of the support days, not a bank holiday of the organisation's calendar, and at or after
the start and before the end, all in the organisation's timezone. The start is inclusive and the end exclusive,
so 09:00-17:30 holds 09:00:00 and not 17:30:00. Local time comes from zoneinfo, so a DST change moves the UTC
instants of the day's start and end, never the local ones.
"""

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from watchkeeper.domain.bank_holidays import Calendar, bank_holiday

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Index = `date.weekday()`."""


@dataclass(frozen=True, slots=True)
class SupportHours:
    days: frozenset[str]
    """Weekday names as the catalog writes them: mon, tue, ... sun."""
    start: time
    end: time
    """`time.max` for the end of the day (the catalog's "24:00")."""
    timezone: str
    bank_holidays: Calendar = "none"

    def __post_init__(self) -> None:
        unknown = self.days - set(WEEKDAY_NAMES)
        if unknown:
            raise ValueError(f"unknown weekday names: {', '.join(sorted(unknown))}")
        if self.start >= self.end:
            raise ValueError("support hours must start before they end")


OFFICE_HOURS = SupportHours(frozenset(WEEKDAY_NAMES[:5]), time(9, 0), time(17, 30), "UTC")
"""The catalog's default: weekdays 09:00-17:30 UTC, no bank holidays."""


def in_hours(hours: SupportHours, at: datetime) -> bool:
    """Whether `at` (an aware instant) is inside support hours."""
    return why_out_of_hours(hours, at) is None


def why_out_of_hours(hours: SupportHours, at: datetime) -> str | None:
    """None when `at` is in hours; otherwise the reason in words, for a route's explanation and the console."""
    if at.tzinfo is None:
        raise ValueError("in_hours needs an aware instant")
    local = at.astimezone(ZoneInfo(hours.timezone))
    day_name = WEEKDAY_NAMES[local.weekday()]
    if day_name not in hours.days:
        return f"{local:%A} is not a support day"
    holiday = bank_holiday(hours.bank_holidays, local.date())
    if holiday is not None:
        return f"{local:%Y-%m-%d} is a bank holiday ({holiday})"
    now = local.time().replace(tzinfo=None)
    if now < hours.start:
        return f"{now:%H:%M} is before support hours start ({hours.start:%H:%M} {hours.timezone})"
    if now >= hours.end:
        return f"{now:%H:%M} is after support hours end ({_end(hours.end)} {hours.timezone})"
    return None


def _end(end: time) -> str:
    return "24:00" if end == time.max else f"{end:%H:%M}"

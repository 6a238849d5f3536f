"""The period an on-call report covers: whole days in the organisation's timezone, from a first day to a last
day, both included, or a calendar quarter (teams meet quarterly). Pure: today comes in as an argument.

A day starts at local midnight, so a quarter in London runs from 00:00 GMT on 1 January to 00:00 BST on 1 April
and is an hour shorter than its days would be in UTC. Where a zone skips midnight itself (a few do, on their
change to summer time), zoneinfo reads the missing local time with the offset from before the change.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 28
"""Four weeks, so every weekday and weekend day counts the same."""
LONGEST_DAYS = 366
"""A year, a leap year's included: a longer report is a mistake in a date, or a job for an export."""
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


class PeriodProblem(ValueError):
    """A period that cannot be reported on; the message says what is wrong, for a person to fix, and `field`
    which part of the request to fix: from, to or quarter."""

    def __init__(self, message: str, field: str = "from") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    first_day: date
    last_day: date
    timezone: str
    quarter: str | None = None
    """"2026-Q4" when the period is that quarter."""

    @property
    def start(self) -> datetime:
        """The first day's local midnight, in UTC: the first instant in the period."""
        return _midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day, in UTC: the first instant after the period."""
        return _midnight(self.last_day + timedelta(days=1), self.timezone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def label(self) -> str:
        span = f"{_spoken(self.first_day)} to {_spoken(self.last_day)}"
        return f"{self.quarter} ({span})" if self.quarter else span

    @property
    def slug(self) -> str:
        """For a file name: `2026-Q4` or `2026-10-30-to-2026-11-26`."""
        return self.quarter or f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"


def last_days(today: date, timezone: str, days: int = DEFAULT_DAYS) -> ReportPeriod:
    """The `days` days that end with today, today included."""
    return days_between(today - timedelta(days=days - 1), today, timezone)


def days_between(first_day: date, last_day: date, timezone: str) -> ReportPeriod:
    """From `first_day` to `last_day`, both included; refused when they are the wrong way round or too far apart."""
    if last_day < first_day:
        raise PeriodProblem(f"the last day, {last_day.isoformat()}, is before the first, {first_day.isoformat()}", "to")
    period = ReportPeriod(first_day, last_day, timezone)
    if period.days > LONGEST_DAYS:
        raise PeriodProblem(f"{period.days} days is too long for a report: {LONGEST_DAYS} days at most")
    _check_instants(period)
    return period


def quarter(year: int, number: int, timezone: str) -> ReportPeriod:
    """Calendar quarter `number` (1 to 4) of `year`: January to March is the first."""
    if number not in (1, 2, 3, 4):
        raise PeriodProblem(f"a year has quarters 1 to 4, not {number}", "quarter")
    first = date(year, 3 * number - 2, 1)
    following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    period = ReportPeriod(first, following - timedelta(days=1), timezone, f"{year}-Q{number}")
    _check_instants(period)
    return period


def parse_day(text: str, what: str) -> date:
    """A day written as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        message = f"{what}: {text[:40]!r} is not a day: write it as YYYY-MM-DD, such as 2026-10-01"
        raise PeriodProblem(message, what) from None


def parse_quarter(text: str, timezone: str) -> ReportPeriod:
    """A quarter written as `2026-Q4` (or `2026Q4`, `2026-q4`)."""
    match = _QUARTER.fullmatch(text.strip())
    if match is None or not 1900 < int(match[1]) < 9999:
        message = f"quarter: {text[:40]!r} is not a quarter: write it as YYYY-QN, such as 2026-Q4"
        raise PeriodProblem(message, "quarter")
    return quarter(int(match[1]), int(match[2]), timezone)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def recent_quarters(today: date, count: int) -> list[str]:
    """The quarter `today` is in and the `count - 1` before it, newest first."""
    year, number = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(count):
        found.append(f"{year}-Q{number}")
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return found


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _check_instants(period: ReportPeriod) -> None:
    try:
        _ = (period.start, period.end)  # both must be instants datetime can hold, or the period is refused here
    except (OverflowError, ValueError):
        span = f"{period.first_day.isoformat()} to {period.last_day.isoformat()}"
        raise PeriodProblem(f"{span} is out of the range of days Watchkeeper can report on") from None


def _spoken(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month]} {day.year}"

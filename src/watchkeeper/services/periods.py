"""The start and end that a person gives a silence or a maintenance window, checked."""

from datetime import UTC, datetime, timedelta

from watchkeeper.domain.durations import readable_duration
from watchkeeper.services.refusals import Refused

LONGEST = timedelta(days=366)
"""The longest a silence or a window may last: a year, a leap year's included. Longer is a mistake (`999999999d`),
or a rule that belongs in the catalog."""


def checked_period(
    now: datetime, starts_at: datetime | None, ends_at: datetime | None, duration: timedelta | None
) -> tuple[datetime, datetime]:
    """From `starts_at` (now when not given) to `ends_at` or for `duration`: one of the two, an end still to
    come, after the start and at most a year after it, and instants with a UTC offset that are in UTC before
    the year 10000 (datetime's limit). Both are returned in UTC."""
    start = _in_utc(starts_at or now, "starts_at", "the start")
    if (ends_at is None) == (duration is None):
        raise Refused("give either an end (ends_at) or a length (duration, such as 2h), not both")
    if duration is not None:
        end = _end_after(start, duration)
    else:
        assert ends_at is not None
        end = _in_utc(ends_at, "ends_at", "the end")
    if end <= now:
        raise Refused(f"the end, {end.isoformat()}, has already passed")
    if end <= start:
        raise Refused("the end must come after the start")
    if end - start > LONGEST:
        raise Refused(f"the end, {end.isoformat()}, is more than a year after the start: a year (366d) at most")
    return start, end


def _in_utc(instant: datetime, field: str, what: str) -> datetime:
    if instant.tzinfo is None:
        raise Refused(f"{field} needs a UTC offset, such as 2026-12-01T06:00:00Z")
    try:
        return instant.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in the year 10000 in UTC
        raise Refused(f"{what}, {instant.isoformat()}, is after the year 9999 in UTC") from None


def _end_after(start: datetime, duration: timedelta) -> datetime:
    if duration <= timedelta(0):
        raise Refused("the duration must be longer than zero")
    if duration > LONGEST:
        raise Refused("the duration is longer than a year: give a year (366d) at most")
    try:
        return start + duration
    except OverflowError:
        later = readable_duration(duration)
        raise Refused(f"the end, {later} after {start.isoformat()}, is after the year 9999") from None

"""The start and end that a person gives a silence or a maintenance window, checked."""

from datetime import datetime, timedelta

from watchkeeper.services.refusals import Refused


def checked_period(
    now: datetime, starts_at: datetime | None, ends_at: datetime | None, duration: timedelta | None
) -> tuple[datetime, datetime]:
    """From `starts_at` (now when not given) to `ends_at` or for `duration`: one of the two, an end still to
    come, after the start, and instants with a UTC offset."""
    start = starts_at or now
    if start.tzinfo is None:
        raise Refused("starts_at needs a UTC offset, such as 2026-12-01T06:00:00Z")
    if (ends_at is None) == (duration is None):
        raise Refused("give either an end (ends_at) or a length (duration, such as 2h), not both")
    if duration is not None:
        if duration <= timedelta(0):
            raise Refused("the duration must be longer than zero")
        end = start + duration
    else:
        assert ends_at is not None
        if ends_at.tzinfo is None:
            raise Refused("ends_at needs a UTC offset, such as 2026-12-01T08:00:00Z")
        end = ends_at
    if end <= now:
        raise Refused(f"the end, {end.isoformat()}, has already passed")
    if end <= start:
        raise Refused("the end must come after the start")
    return start, end

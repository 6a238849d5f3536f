"""When a group of alerts notifies: Alertmanager's group wait, group interval and repeat interval.

- A new group waits `wait` after its first change, so that the rest of a storm joins the same notification.
- After a notification, further changes wait until `interval` has passed since it.
- While alerts stay open and nothing changes, the group reminds every `repeat`.
"""

from dataclasses import dataclass
from datetime import datetime

from watchkeeper.domain.routing import Timing


@dataclass(frozen=True, slots=True)
class GroupClock:
    flushed_at: datetime | None
    """The group's last notification, if it has had one."""
    flush_at: datetime | None
    """When it next notifies, if anything is due."""


def after_change(group: GroupClock, now: datetime, timing: Timing) -> datetime:
    """When the group should notify, now that one of its alerts changed."""
    due = now + timing.wait if group.flushed_at is None else max(now, group.flushed_at + timing.interval)
    # A notification already due sooner (a reminder, or the first change's wait) is not put off.
    return due if group.flush_at is None else min(group.flush_at, due)


def after_flush(now: datetime, still_open: bool, timing: Timing) -> datetime | None:
    """The next time the group notifies by itself: a reminder while alerts stay open, else never."""
    return now + timing.repeat if still_open else None

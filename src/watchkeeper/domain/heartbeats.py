"""When a heartbeat is late. A job pings when it runs; a period schedule expects the next ping within the
period of the last one, a cron schedule expects one after each scheduled time; either way `grace` is allowed
on top. Pure: the time and the zone come in as arguments."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from watchkeeper.domain.lengths import in_words


@dataclass(frozen=True)
class HeartbeatRule:
    grace: timedelta
    period: timedelta | None = None
    cron: str | None = None
    timezone: str = "UTC"


def expected_by(rule: HeartbeatRule, last_run: datetime | None, watched_since: datetime) -> datetime:
    """The moment after which silence is a failure: the next expected ping plus the grace time.

    The clock starts at the later of the latest run's end (its success or failure ping) and when watching the
    check began (it was added, or resumed after a pause): a run that reported, even a failed one, is not also
    missing, and a check is never late for a time nobody was watching it.
    """
    start = watched_since if last_run is None else max(last_run, watched_since)
    if rule.period is not None:
        return start + rule.period + rule.grace
    assert rule.cron is not None
    # Aware, so cronsim walks real time across clock changes as cron does: a job in the hour skipped in spring
    # runs when the clock jumps, and one at a fixed time in the hour repeated in autumn runs once. cronsim
    # gives that one time even to a start later in the repeated hour, so the first due time after the start,
    # compared in UTC (times in one zone compare by wall clock), is the one wanted. The grace is added in
    # UTC too: a wall-clock sum would be an hour out across a change.
    start_utc = start.astimezone(UTC)
    runs = (due.astimezone(UTC) for due in CronSim(rule.cron, start.astimezone(ZoneInfo(rule.timezone))))
    return next(due for due in runs if due > start_utc) + rule.grace


def silence_reason(rule: HeartbeatRule, last_ping: datetime | None, now: datetime) -> str:
    zone = ZoneInfo(rule.timezone)
    grace = in_words(rule.grace)
    if last_ping is None:
        return f"no ping yet, grace {grace}"
    since = last_ping.astimezone(zone)
    when = f"{since:%H:%M}" if now - last_ping < timedelta(hours=20) else f"{since:%Y-%m-%d %H:%M}"
    return f"no ping since {when}, grace {grace}"

"""When a heartbeat is late. A job pings when it runs; a period schedule expects the next ping within the
period of the last one, a cron schedule expects one after each scheduled time; either way `grace` is allowed
on top. Pure: the time and the zone come in as arguments."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim

from watchkeeper.domain.lengths import in_words


@dataclass(frozen=True)
class HeartbeatRule:
    grace: timedelta
    period: timedelta | None = None
    cron: str | None = None
    timezone: str = "UTC"


def expected_by(rule: HeartbeatRule, last_ping: datetime | None, watched_since: datetime) -> datetime:
    """The moment after which silence is a failure: the next expected ping plus the grace time.

    Before the first ping the clock starts from when Watchkeeper began watching the check.
    """
    start = last_ping or watched_since
    if rule.period is not None:
        return start + rule.period + rule.grace
    assert rule.cron is not None
    zone = ZoneInfo(rule.timezone)
    local = start.astimezone(zone).replace(tzinfo=None)
    due = next(iter(CronSim(rule.cron, local)))  # local wall-clock time of the next scheduled run
    return due.replace(tzinfo=zone).astimezone(start.tzinfo) + rule.grace


def silence_reason(rule: HeartbeatRule, last_ping: datetime | None, now: datetime) -> str:
    zone = ZoneInfo(rule.timezone)
    grace = in_words(rule.grace)
    if last_ping is None:
        return f"no ping yet, grace {grace}"
    since = last_ping.astimezone(zone)
    when = f"{since:%H:%M}" if now - last_ping < timedelta(hours=20) else f"{since:%Y-%m-%d %H:%M}"
    return f"no ping since {when}, grace {grace}"

"""Routes: which of the owning team's routes an alert takes (first match wins), and the group it joins."""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from watchkeeper.domain.alerts import Severity

DEFAULT_GROUP_WAIT = timedelta(seconds=10)
DEFAULT_GROUP_INTERVAL = timedelta(minutes=1)
DEFAULT_REPEAT_INTERVAL = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class Facts:
    """What a route may match on, for one alert."""

    team: str
    severity: Severity
    source: str
    service: str | None
    platform: str | None
    check: str | None
    labels: Mapping[str, str]
    in_hours: bool

    def label(self, name: str) -> str:
        """A built-in label (team, service, platform, check, source, severity) or one of the alert's own."""
        builtin = {
            "team": self.team,
            "service": self.service,
            "platform": self.platform,
            "check": self.check,
            "source": self.source,
            "severity": self.severity,
        }
        if name in builtin:
            return builtin[name] or ""
        return self.labels.get(name, "")


@dataclass(frozen=True, slots=True)
class Timing:
    wait: timedelta = DEFAULT_GROUP_WAIT
    interval: timedelta = DEFAULT_GROUP_INTERVAL
    repeat: timedelta = DEFAULT_REPEAT_INTERVAL


@dataclass(frozen=True, slots=True)
class Rule:
    """One of a team's routes, as the catalog gives it. An empty tuple matches anything."""

    position: int
    severities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    hours: str | None = None
    """"in", "out" or None for any time."""
    escalation_policy: str | None = None
    notify: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ("service",)
    timing: Timing = Timing()

    def matches(self, facts: Facts) -> bool:
        if self.severities and facts.severity not in self.severities:
            return False
        if self.sources and facts.source not in self.sources:
            return False
        if self.services and facts.service not in self.services:
            return False
        if self.hours is not None and (self.hours == "in") != facts.in_hours:
            return False
        return all(facts.label(name) == value for name, value in self.labels.items())


DEFAULT_POSITION = -1
"""The position of the route taken when none of the team's routes matches: every channel of the team."""


@dataclass(frozen=True, slots=True)
class Choice:
    """The route an alert takes: its targets now (a policy's level 0 until on-call lands), and its group."""

    team: str
    position: int
    targets: tuple[str, ...]
    escalation_policy: str | None
    group_key: str
    group_labels: Mapping[str, str]
    timing: Timing


def choose(
    rules: Sequence[Rule], facts: Facts, policy_targets: Mapping[str, tuple[str, ...]], team_channels: Sequence[str]
) -> Choice:
    """The first rule that matches; when none does, every channel of the team, so an alert a team forgot to
    route still reaches it. `policy_targets` gives each escalation policy's first-level targets."""
    for rule in rules:
        if rule.matches(facts):
            targets = policy_targets.get(rule.escalation_policy, ()) if rule.escalation_policy else rule.notify
            return _choice(facts, rule.position, targets, rule.escalation_policy, rule.group_by, rule.timing)
    default = tuple(f"channel:{channel}" for channel in team_channels)
    return _choice(facts, DEFAULT_POSITION, default, None, ("service",), Timing())


def _choice(
    facts: Facts,
    position: int,
    targets: tuple[str, ...],
    policy: str | None,
    group_by: tuple[str, ...],
    timing: Timing,
) -> Choice:
    labels = {name: facts.label(name) for name in group_by}
    return Choice(facts.team, position, targets, policy, group_key(facts.team, position, labels), labels, timing)


def group_key(team: str, position: int, labels: Mapping[str, str]) -> str:
    """Stable for the same team, route and label values; readable up front, hashed after so it stays short."""
    values = "\x1f".join(f"{name}={value}" for name, value in sorted(labels.items()))
    digest = hashlib.sha256(values.encode()).hexdigest()[:16]
    return f"{team}/{position}/{digest}"


def channel_targets(targets: Sequence[str]) -> list[str]:
    """The channel ids among `targets` (people and schedules are paged by on-call, issue 5)."""
    return [target.split(":", 1)[1] for target in targets if target.startswith("channel:")]

"""Whether an alert is suppressed, and by what: a maintenance window over its subject, or a silence whose
matchers fit its labels (ADR 0021 stage 3, ADR 0029 and 0030).

A window covers an alert whose check is in its checks, whose service is in its services, or which is a
platform's own (its check or the platform itself) when the platform is in its platforms. A platform's window
does not cover the services that run on it: they are attached to the platform's alert by the shared
responsibility rule, so their teams are told rather than paged, and a window that hid them would hide a
service that failed for a reason of its own. To quiet the services too, add a silence on `platform=ID`, which
matches every alert on the platform.

Pure: instants come in as arguments.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from watchkeeper.domain.maintenance import Occurrence
from watchkeeper.domain.silences import Silence, matches


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What suppression needs to know of an alert."""

    source: str
    severity: str
    team: str
    check: str | None = None
    service: str | None = None
    platform: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def matching_labels(self) -> dict[str, str]:
        """The alert's own labels, overlaid by what Watchkeeper knows of it (service, platform, check, team,
        severity, source): a silence on `service=pay-api` means Watchkeeper's service, whatever a sender's own
        `service` label says. A fact Watchkeeper lacks leaves the sender's label as it is."""
        known = {
            "service": self.service,
            "platform": self.platform,
            "check": self.check,
            "team": self.team,
            "severity": self.severity,
            "source": self.source,
        }
        return {**self.labels, **{name: value for name, value in known.items() if value is not None}}


def covers(occurrence: Occurrence, facts: AlertFacts) -> bool:
    scope = occurrence.window.scope
    if facts.check is not None and facts.check in scope.checks:
        return True
    if facts.service is not None and facts.service in scope.services:
        return True
    return facts.service is None and facts.platform is not None and facts.platform in scope.platforms


def suppressed_by(
    facts: AlertFacts, active_windows: Iterable[Occurrence], silences: Iterable[Silence], at: datetime
) -> str | None:
    """`maintenance:<window id>` or `silence:<id>` for the first window, then silence, that suppresses the
    alert at `at`; None when nothing does. Windows come first: planned work is the better explanation."""
    for occurrence in active_windows:
        if occurrence.covers(at) and covers(occurrence, facts):
            return f"maintenance:{occurrence.window.id}"
    labels = facts.matching_labels()
    for silence in silences:
        if matches(silence, labels, at):
            return f"silence:{silence.id}"
    return None

"""Alerts: what every source is turned into (a Signal), and what a signal does to the open alert with its key.

Pure: the time comes in as an argument. The store keeps at most one open (not resolved) alert per dedup key.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

Severity = Literal["page", "ticket", "info"]
"""`page` interrupts someone, `ticket` does not, `info` is for the record."""
Action = Literal["trigger", "acknowledge", "resolve"]
Status = Literal["triggered", "acknowledged", "resolved"]
SubjectKind = Literal["check", "service", "platform", "team"]
SEVERITIES: tuple[Severity, ...] = ("page", "ticket", "info")
SUMMARY_LIMIT = 1024
"""PagerDuty's limit for a summary; longer ones are cut, with an ellipsis."""


@dataclass(frozen=True, slots=True)
class Subject:
    """What an alert is about. A check or service is owned by its service's team; a platform by the platform
    team; a team subject is an inbound alert that names nothing Watchkeeper knows, owned by the integration's
    team."""

    kind: SubjectKind
    id: str


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Signal:
    """One event from a source: a check changing state, an Alertmanager alert firing or resolving, a PagerDuty
    event, a Sentry issue, a generic JSON post."""

    action: Action
    dedup_key: str
    """Scoped by the source (`check:<id>`, `alertmanager:<integration>:<fingerprint>`) so that two sources
    never act on each other's alerts."""
    source: str
    """check, alertmanager, pagerduty, sentry, generic."""
    subject: Subject
    severity: Severity = "page"
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    integration_id: str | None = None
    actor: str | None = None
    """Who acknowledged or resolved, when a person did."""


@dataclass(frozen=True, slots=True)
class Alert:
    """The stored alert, as far as decisions need it."""

    id: int
    dedup_key: str
    status: Status
    severity: Severity
    summary: str
    occurrences: int
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


Outcome = Literal["opened", "occurred", "acknowledged", "resolved", "ignored"]


@dataclass(frozen=True, slots=True)
class Applied:
    """What a signal did: the alert as it now is (None when ignored), what happened, and why when ignored."""

    outcome: Outcome
    alert: Alert | None
    note: str = ""


def apply(open_alert: Alert | None, signal: Signal, now: datetime, next_id: int = 0) -> Applied:
    """A trigger opens an alert or adds an occurrence to the open one; acknowledge and resolve act on the open
    one and are ignored (with a note) when there is none, as PagerDuty does. A trigger after an acknowledgement
    keeps it acknowledged: the person on it already knows."""
    if signal.action == "trigger":
        if open_alert is None:
            alert = Alert(
                id=next_id,
                dedup_key=signal.dedup_key,
                status="triggered",
                severity=signal.severity,
                summary=shorten(signal.summary, SUMMARY_LIMIT),
                occurrences=1,
                created_at=now,
                updated_at=now,
            )
            return Applied("opened", alert)
        more = replace(open_alert, occurrences=open_alert.occurrences + 1, updated_at=now)
        return Applied("occurred", more)
    if open_alert is None:
        return Applied("ignored", None, f"no open alert has the key {signal.dedup_key!r}")
    if signal.action == "acknowledge":
        if open_alert.status == "acknowledged":
            return Applied("ignored", open_alert, "already acknowledged")
        acked = replace(open_alert, status="acknowledged", acknowledged_at=now, updated_at=now)
        return Applied("acknowledged", acked)
    resolved = replace(open_alert, status="resolved", resolved_at=now, updated_at=now)
    return Applied("resolved", resolved)


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

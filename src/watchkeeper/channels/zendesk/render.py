"""Zendesk: a ticket for each `ticket`-severity alert, opened when it triggers, commented on as it changes and
solved when it resolves. Whether a ticket exists yet is known only at send time (from the channel's memory),
so this renders both what a new ticket would be and the comment for an existing one. Pure."""

from dataclasses import dataclass
from typing import Any

from watchkeeper.catalog.teams import ZendeskChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.text import STATUS_WORDS, cut, detail_lines, when
from watchkeeper.domain.alerts import Status

SUBJECT_LIMIT = 250


@dataclass(frozen=True, slots=True)
class TicketChange:
    alert_id: int
    status: Status
    new_ticket: dict[str, Any]
    """The body of POST /api/v2/tickets, for an alert that has no ticket yet."""
    update: dict[str, Any]
    """The body of PUT /api/v2/tickets/{id}, for one that has."""
    idempotency_key: str
    """Zendesk's Idempotency-Key: a creation repeated after a lost answer returns the first ticket."""


@dataclass(frozen=True, slots=True)
class ZendeskWork:
    base_url: str
    changes: tuple[TicketChange, ...]


def render(message: Message, config: ZendeskChannel) -> ZendeskWork:
    base = (config.url or f"https://{config.subdomain}.zendesk.com").rstrip("/")
    changes = tuple(_change(alert, message) for alert in message.alerts if alert.severity == "ticket")
    return ZendeskWork(base, changes)


def memory_key(alert_id: int) -> str:
    return f"ticket:{alert_id}"


def _change(alert: MessageAlert, message: Message) -> TicketChange:
    new_ticket = {
        "ticket": {
            "subject": cut(f"{alert.summary} ({alert.subject})", SUBJECT_LIMIT),
            "comment": {"body": description(alert)},
            "type": "incident",
            "priority": "normal",
            "tags": ["watchkeeper", f"watchkeeper-team-{message.team_id}"],
            "external_id": f"watchkeeper-alert-{alert.id}",
        }
    }
    update: dict[str, Any] = {"comment": {"body": comment(alert), "public": False}}
    if alert.status == "resolved":
        update["status"] = "solved"
    return TicketChange(alert.id, alert.status, new_ticket, {"ticket": update}, f"{message.idempotency_key}:{alert.id}")


def description(alert: MessageAlert) -> str:
    lines = [alert.summary, "", f"About: {alert.subject}", f"Since: {when(alert.started_at)}"]
    if alert.labels:
        lines.append("Labels: " + ", ".join(f"{key}={value}" for key, value in alert.labels.items()))
    lines.extend(detail_lines(alert.details))
    lines.extend(f"{link.text or 'Link'}: {link.href}" for link in alert.links)
    if alert.url:
        lines.append(f"In Watchkeeper: {alert.url}")
    lines.extend(["", f"Opened by Watchkeeper for alert {alert.dedup_key}."])
    return "\n".join(lines)


def comment(alert: MessageAlert) -> str:
    if alert.status == "resolved" and alert.resolved_at:
        return f"Resolved in Watchkeeper at {when(alert.resolved_at)}: {alert.summary}"
    return f"{STATUS_WORDS[alert.status]} in Watchkeeper: {alert.summary}"

"""The words every channel uses for a message: a headline, a line per alert, a plain-text body. Pure: the
render steps of the channels build on these, so an alert reads the same in Slack, an email and the inbox."""

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from watchkeeper.channels import Message, MessageAlert
from watchkeeper.domain.alerts import Action, Severity, Status

ACTION_WORDS: Mapping[Action, str] = {"trigger": "Triggered", "acknowledge": "Acknowledged", "resolve": "Resolved"}
STATUS_WORDS: Mapping[Status, str] = {"triggered": "Triggered", "acknowledged": "Acknowledged", "resolved": "Resolved"}
SEVERITY_WORDS: Mapping[Severity, str] = {"page": "Page", "ticket": "Ticket", "info": "Info"}
LISTED = 20
"""Alerts listed in one message; a storm's message says how many more there are rather than growing without end."""
DETAIL_LIMIT = 300


def headline(message: Message) -> str:
    """`[Triggered] Card payments frontend is down`."""
    return f"[{ACTION_WORDS[message.action]}] {message.title}"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def alert_line(alert: MessageAlert) -> str:
    """`Triggered: HTTP 503 from /health (Card payments frontend)`."""
    return f"{STATUS_WORDS[alert.status]}: {alert.summary} ({alert.subject})"


def listed(message: Message) -> tuple[tuple[MessageAlert, ...], int]:
    """The alerts to list, and how many more there are beyond them."""
    return message.alerts[:LISTED], max(0, len(message.alerts) - LISTED)


def more_line(more: int) -> str:
    return f"… and {more} more alert{'s' if more != 1 else ''}"


def detail_lines(details: Mapping[str, Any]) -> Iterator[str]:
    """`key: value` for each detail, a long value cut short."""
    for key, value in details.items():
        shown = value if isinstance(value, str) else repr(value)
        yield f"{key}: {cut(shown, DETAIL_LIMIT)}"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_line(url: str) -> str:
    return f"Acknowledge or resolve: {url}"


def plain_text(message: Message) -> str:
    """The whole message as plain text: headline, what and whose, then each alert with its times and links."""
    lines = [headline(message), f"Severity: {SEVERITY_WORDS[message.severity]}. Team: {message.team_id}.", ""]
    if message.page_url:
        lines.extend([page_line(message.page_url), ""])
    shown, more = listed(message)
    for alert in shown:
        lines.append(alert_line(alert))
        lines.extend(f"  {line}" for line in _alert_facts(alert))
        lines.append("")
    if more:
        lines.extend([more_line(more), ""])
    lines.append(f"Sent by Watchkeeper at {when(message.created_at)}. Delivery {message.idempotency_key}.")
    return "\n".join(lines)


def _alert_facts(alert: MessageAlert) -> Iterator[str]:
    yield f"Since {when(alert.started_at)}" + (f", resolved {when(alert.resolved_at)}" if alert.resolved_at else "")
    yield f"Severity: {SEVERITY_WORDS[alert.severity]}"
    if alert.labels:
        yield "Labels: " + ", ".join(f"{key}={value}" for key, value in alert.labels.items())
    yield from detail_lines(alert.details)
    for link in alert.links:
        yield f"{link.text or 'Link'}: {link.href}"
    if alert.url:
        yield f"In Watchkeeper: {alert.url}"

"""A JSON webhook: the message as a documented JSON object (README, "Notification channels"), with the
`Watchkeeper-Delivery` header carrying its idempotency key. Signing needs the secret and the time of sending,
so it happens in send. Pure."""

from datetime import datetime
from typing import Any

from watchkeeper.catalog.teams import WebhookChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.outgoing import HttpRequest

BODY_VERSION = 1
"""Raised only when a field changes meaning or goes; new fields may appear in any version."""
DELIVERY_HEADER = "Watchkeeper-Delivery"


def render(message: Message, config: WebhookChannel) -> HttpRequest:
    headers = (*config.headers.items(), (DELIVERY_HEADER, message.idempotency_key))
    return HttpRequest("POST", config.url, body(message), headers)


def body(message: Message) -> dict[str, Any]:
    return {
        "version": BODY_VERSION,
        "delivery": message.idempotency_key,
        "team": message.team_id,
        "channel": message.channel_id,
        "action": message.action,
        "severity": message.severity,
        "title": message.title,
        "created_at": _time(message.created_at),
        "alerts": [_alert(alert) for alert in message.alerts],
    }


def _alert(alert: MessageAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "dedup_key": alert.dedup_key,
        "status": alert.status,
        "severity": alert.severity,
        "summary": alert.summary,
        "subject": alert.subject,
        "started_at": _time(alert.started_at),
        "resolved_at": _time(alert.resolved_at) if alert.resolved_at else None,
        "details": dict(alert.details),
        "labels": dict(alert.labels),
        "links": [{"href": link.href, "text": link.text} for link in alert.links],
        "url": alert.url,
    }


def _time(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")

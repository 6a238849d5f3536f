"""Notifications as the outbox keeps them: a channels.Message to and from JSON."""

from datetime import datetime
from typing import Any

from watchkeeper.channels import Message, MessageAlert
from watchkeeper.domain.alerts import Link


def to_json(message: Message) -> dict[str, Any]:
    return {
        "idempotency_key": message.idempotency_key,
        "team_id": message.team_id,
        "channel_id": message.channel_id,
        "action": message.action,
        "severity": message.severity,
        "title": message.title,
        "created_at": message.created_at.isoformat(),
        "alerts": [_alert_json(alert) for alert in message.alerts],
        "page_link": message.page_link,
    }


def _alert_json(alert: MessageAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "dedup_key": alert.dedup_key,
        "status": alert.status,
        "severity": alert.severity,
        "summary": alert.summary,
        "subject": alert.subject,
        "started_at": alert.started_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "details": dict(alert.details),
        "links": [{"href": link.href, "text": link.text} for link in alert.links],
        "labels": dict(alert.labels),
        "url": alert.url,
    }


def from_json(data: dict[str, Any]) -> Message:
    return Message(
        idempotency_key=data["idempotency_key"],
        team_id=data["team_id"],
        channel_id=data["channel_id"],
        action=data["action"],
        severity=data["severity"],
        title=data["title"],
        created_at=datetime.fromisoformat(data["created_at"]),
        alerts=tuple(_alert(item) for item in data["alerts"]),
        page_link=data.get("page_link"),
    )


def _alert(data: dict[str, Any]) -> MessageAlert:
    resolved = data.get("resolved_at")
    return MessageAlert(
        id=data["id"],
        dedup_key=data["dedup_key"],
        status=data["status"],
        severity=data["severity"],
        summary=data["summary"],
        subject=data["subject"],
        started_at=datetime.fromisoformat(data["started_at"]),
        resolved_at=datetime.fromisoformat(resolved) if resolved else None,
        details=data.get("details") or {},
        links=tuple(Link(link["href"], link.get("text", "")) for link in data.get("links") or ()),
        labels=data.get("labels") or {},
        url=data.get("url"),
    )

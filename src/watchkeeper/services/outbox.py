"""Writing notifications into the outbox: the message a group's alerts make, and the row that carries it to a
channel, written in the caller's transaction (ADR 0021)."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, insert

from watchkeeper.channels import Message, MessageAlert
from watchkeeper.domain.alerts import Action, Link
from watchkeeper.services import messages
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t

RETRY_FAILED = timedelta(minutes=1)
"""When a group, an escalation step or a contact failed, it is tried again this much later (not every pass)."""
_WORDS = {"triggered": "Triggered", "acknowledged": "Acknowledged", "resolved": "Resolved"}
_RANK = {"page": 0, "ticket": 1, "info": 2}


@dataclass(frozen=True)
class Reach:
    """The ways this installation can reach a person besides their inbox, and how long a page's link works."""

    email: bool = False
    """An SMTP server is configured (WATCHKEEPER_SMTP_URL)."""
    link_life: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Outbox:
    """How notifications are written: how long their delivery is retried, and the console's address."""

    retry_for: timedelta = timedelta(hours=24)
    public_url: str | None = None
    reach: Reach = Reach()


def paging(message: Message, page_link: int) -> Message:
    """A message that pages a person: it carries its one-click link's id, signed only when it is sent."""
    return replace(message, page_link=page_link)


def idempotency_key() -> str:
    """Made once, when the notification is written, and kept with it: every attempt to send it carries the
    same key, and no other notification ever has it, in this database or any other (a rebuilt or restored
    one, staging beside production), so a receiver that drops repeats never drops news."""
    return secrets.token_hex(16)


def group_message(
    connection: Connection,
    group: RowMapping,
    items: Sequence[RowMapping],
    reminder: bool,
    channel_id: str,
    sequence: int,
    now: datetime,
    public_url: str | None,
) -> Message:
    names = book.names(
        connection,
        [a["service_id"] for a in items],
        [a["platform_id"] for a in items],
        [a["subject_id"] for a in items if a["subject_kind"] == "check"],
    )
    alerts = tuple(_message_alert(a, names, public_url) for a in items)
    return Message(
        idempotency_key=idempotency_key(),
        team_id=group["team_id"],
        channel_id=channel_id,
        action=_action(items),
        severity=min((a.severity for a in alerts), key=_RANK.__getitem__),
        title=_title(alerts, reminder),
        alerts=alerts,
        created_at=now,
    )


def _message_alert(row: RowMapping, names: dict[str, str], public_url: str | None) -> MessageAlert:
    return MessageAlert(
        id=row["id"],
        dedup_key=row["dedup_key"],
        status=row["status"],
        severity=row["severity"],
        summary=row["summary"],
        subject=_subject(row, names),
        started_at=row["created_at"],
        resolved_at=row["resolved_at"],
        details=row["details"] or {},
        links=tuple(Link(link["href"], link.get("text", "")) for link in row["links"] or ()),
        labels=row["labels"] or {},
        url=f"{public_url.rstrip('/')}/alerts/{row['id']}" if public_url else None,
    )


def _subject(row: RowMapping, names: dict[str, str]) -> str:
    owner = names.get(f"service:{row['service_id']}") or names.get(f"platform:{row['platform_id']}")
    if row["subject_kind"] == "check":
        check = names.get(f"check:{row['subject_id']}", row["subject_id"])
        return f"{owner}: {check}" if owner else check
    return owner or f"team {row['team_id']}"


def _action(items: Sequence[RowMapping]) -> Action:
    statuses = {a["status"] for a in items}
    if "triggered" in statuses:
        return "trigger"
    return "acknowledge" if "acknowledged" in statuses else "resolve"


def _title(alerts: Sequence[MessageAlert], reminder: bool) -> str:
    """What the notification is about. Channels put the action in front ("[Triggered] ..."), so it is not here."""
    lead = "Still open: " if reminder else ""
    owners = sorted({a.subject.split(": ")[0] for a in alerts})
    if len(alerts) == 1:
        [alert] = alerts
        return f"{lead}{alert.summary} ({owners[0]})"
    counts = [f"{sum(1 for a in alerts if a.status == s)} {w.lower()}" for s, w in _WORDS.items()]
    shown = ", ".join(c for c in counts if not c.startswith("0 "))
    more = " and more" if len(owners) > 3 else ""
    return f"{lead}{len(alerts)} alerts ({shown}): {', '.join(owners[:3])}{more}"


def enqueue(
    connection: Connection,
    message: Message,
    channel_type: str,
    group_key: str | None,
    alert_ids: list[int],
    now: datetime,
    outbox: Outbox,
) -> int:
    values: dict[str, Any] = {
        "idempotency_key": message.idempotency_key,
        "team_id": message.team_id,
        "channel_id": message.channel_id,
        "channel_type": channel_type,
        "group_key": group_key,
        "action": message.action,
        "message": messages.to_json(message),
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "due_at": now,
        "give_up_at": now + outbox.retry_for,
    }
    notification_id: int = connection.execute(
        insert(t.notifications).returning(t.notifications.c.id), values
    ).scalar_one()
    if alert_ids:
        rows = [{"notification_id": notification_id, "alert_id": a} for a in alert_ids]
        connection.execute(insert(t.notification_alerts), rows)
    return notification_id

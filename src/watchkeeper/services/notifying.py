"""Flushing due groups into the outbox: one notification per channel of the group's route, written in the
same transaction that records the group as flushed and its alerts as told (ADR 0021)."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from watchkeeper.channels import Message, MessageAlert
from watchkeeper.domain import grouping, routing
from watchkeeper.domain.alerts import Action, Link
from watchkeeper.logs import get_logger
from watchkeeper.services import messages, pipeline
from watchkeeper.services.pipeline import timing_of
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.notifying")
GROUPS_A_TRANSACTION = 50
_WORDS = {"triggered": "Triggered", "acknowledged": "Acknowledged", "resolved": "Resolved"}
_RANK = {"page": 0, "ticket": 1, "info": 2}


@dataclass(frozen=True)
class Outbox:
    """How notifications are written: how long their delivery is retried, and the console's address."""

    retry_for: timedelta = timedelta(hours=24)
    public_url: str | None = None


def flush_due(db: Database, now: datetime, outbox: Outbox, limit: int = 1000) -> int:
    """Releases alerts whose suppression has ended, then flushes every group due by `now` (up to `limit`);
    returns the notifications written."""
    with db.transaction() as connection:
        pipeline.release(connection, now)
        pipeline.detach(connection, now)
    g = t.alert_groups
    with db.reading() as connection:
        query = select(g.c.key).where(g.c.flush_at <= now).order_by(g.c.flush_at).limit(limit)
        keys = list(connection.execute(query).scalars())
    written = 0
    for start in range(0, len(keys), GROUPS_A_TRANSACTION):
        with db.transaction() as connection:
            for key in keys[start : start + GROUPS_A_TRANSACTION]:
                written += flush(connection, key, now, outbox)
    return written


HOLD_FOR = timedelta(minutes=3)
"""Longest a new alert waits for its failing platform or dependency to confirm DOWN before it pages anyway."""
HOLD_STEP = timedelta(seconds=15)


def flush(connection: Connection, key: str, now: datetime, outbox: Outbox) -> int:
    """One group's notification, if it is still due; returns the notifications written."""
    g = t.alert_groups
    group = connection.execute(select(g).where(g.c.key == key).with_for_update()).mappings().first()
    if group is None or group["flush_at"] is None or group["flush_at"] > now:
        return 0  # flushed meanwhile by another engine, or put off
    timing = timing_of(group["route"])
    alerts = _settled(connection, _told_or_to_tell(connection, key), now)
    if alerts is None:  # held: a platform or dependency is failing and may yet take the blame
        connection.execute(update(g).where(g.c.key == key).values(flush_at=now + HOLD_STEP))
        return 0
    changed = [a for a in alerts if a["status"] != a["notified_status"]]
    still_open = [a for a in alerts if a["status"] != "resolved"]
    last = group["flushed_at"]
    reminder = not changed and bool(still_open) and (last is None or last + timing.repeat <= now)
    items = changed or (still_open if reminder else [])
    written = _write(connection, group, items, reminder, now, outbox) if items else 0
    for alert in changed:
        told = update(t.alerts).where(t.alerts.c.id == alert["id"]).values(notified_status=alert["status"])
        connection.execute(told)
    flushed_at = now if items else last
    connection.execute(
        update(g)
        .where(g.c.key == key)
        .values(
            flushed_at=flushed_at,
            flushes=group["flushes"] + (1 if items else 0),
            changed_at=None,
            flush_at=grouping.after_flush(flushed_at, bool(still_open), timing) if flushed_at else None,
        )
    )
    return written


def _settled(connection: Connection, alerts: list[RowMapping], now: datetime) -> list[RowMapping] | None:
    """The group's alerts to consider now: those a silence or window made since they opened now covers are
    set aside (and released when it ends); those not yet told whose platform or dependency has failed since
    are attached to it and leave; None when one not yet told should wait for a failing platform or dependency
    to confirm DOWN (at most HOLD_FOR after it opened)."""
    kept = []
    for alert in alerts:
        if alert["status"] != "resolved" and pipeline.suppress_now(connection, alert, now):
            continue
        if _never_told(alert):
            if pipeline.reattach(connection, dict(alert), now):
                continue
            if now - alert["created_at"] < HOLD_FOR and pipeline.cause_pending(connection, alert):
                pipeline.note_held(connection, alert, now)
                return None
        kept.append(alert)
    return kept


def _never_told(alert: RowMapping) -> bool:
    return alert["notified_status"] is None and alert["cause_alert_id"] is None and alert["status"] != "resolved"


def _told_or_to_tell(connection: Connection, key: str) -> list[RowMapping]:
    """The group's alerts that are open, or resolved since their owners were last told of them."""
    a = t.alerts
    query = (
        select(a)
        .where(a.c.group_key == key, a.c.suppressed_by.is_(None))
        .where((a.c.status != "resolved") | (a.c.notified_status.is_not(None) & (a.c.notified_status != "resolved")))
        .order_by(a.c.id)
    )
    return list(connection.execute(query).mappings())


def _write(
    connection: Connection,
    group: RowMapping,
    items: Sequence[RowMapping],
    reminder: bool,
    now: datetime,
    outbox: Outbox,
) -> int:
    wanted = routing.channel_targets(pipeline.routing_book(connection).targets_now(group["team_id"], group["route"]))
    types = book.channel_types(connection, wanted)
    sequence = group["flushes"] + 1
    told: list[str] = []
    for channel_id in wanted:
        if channel_id not in types:
            continue
        message = _message(connection, group, items, reminder, channel_id, sequence, now, outbox.public_url)
        enqueue(connection, message, types[channel_id], group["key"], [a["id"] for a in items], now, outbox)
        told.append(channel_id)
    missing = [channel for channel in wanted if channel not in types]
    if not told:
        log.warning("nobody to notify", group=group["key"], team=group["team_id"], alerts=[a["id"] for a in items])
    for alert in items:
        note = "reminded" if reminder else "notified"
        text = f"{note} {', '.join(told)} (group notification {sequence})" if told else "nobody to notify"
        if missing:
            text += f"; not in the catalog: {', '.join(missing)}"
        store.add_event(connection, alert["id"], now, "notified", text)
    return len(told)


def idempotency_key() -> str:
    """Made once, when the notification is written, and kept with it: every attempt to send it carries the
    same key, and no other notification ever has it, in this database or any other (a rebuilt or restored
    one, staging beside production), so a receiver that drops repeats never drops news."""
    return secrets.token_hex(16)


def _message(
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
) -> None:
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
    notification_id = connection.execute(insert(t.notifications).returning(t.notifications.c.id), values).scalar_one()
    if alert_ids:
        rows = [{"notification_id": notification_id, "alert_id": a} for a in alert_ids]
        connection.execute(insert(t.notification_alerts), rows)

"""Alerts as people look at them (CLI, console, API): lists, one alert with its timeline and deliveries, and
acknowledging or resolving one by hand."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.domain.keyset import Key, Page
from watchkeeper.services.alerts import Received, receive_one
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.ownership import require_member
from watchkeeper.store import Database, alert_lists
from watchkeeper.store import alerts as store
from watchkeeper.store import tables as t
from watchkeeper.store.alert_lists import AlertFilter
from watchkeeper.store.contention import in_transaction

OPEN = ("triggered", "acknowledged")


class NoSuchAlert(LookupError):
    pass


@dataclass(frozen=True)
class AlertPage:
    alert: dict[str, Any]
    events: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    escalation: dict[str, Any] | None = None
    """Its group's latest escalation: status, policy, round and level, and when it next looks."""


def list_alerts(
    db: Database, statuses: tuple[str, ...] = OPEN, team: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    a = t.alerts
    query = select(a).where(a.c.status.in_(statuses)).order_by(a.c.created_at.desc(), a.c.id.desc()).limit(limit)
    if team is not None:
        query = query.where(a.c.team_id == team)
    with db.reading() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def alert_list(db: Database, given: AlertFilter, after: Key | None, limit: int) -> Page[dict[str, Any]]:
    """A page of alerts, newest first."""
    with db.reading() as connection:
        found = alert_lists.alerts(connection, given, after, limit)
    return Page([dict(row) for row in found.items], found.next)


def alert_page(db: Database, alert_id: int) -> AlertPage:
    with db.reading() as connection:
        row = store.get(connection, alert_id)
        if row is None:
            raise NoSuchAlert(f"there is no alert {alert_id}")
        events = [dict(e) for e in store.events(connection, alert_id)]
        escalation = _escalation(connection, row["group_key"]) if row["group_key"] else None
        return AlertPage(dict(row), events, _deliveries(connection, alert_id), escalation)


def _escalation(connection: Any, group_key: str) -> dict[str, Any] | None:
    e = t.escalations
    query = select(e).where(e.c.group_key == group_key).order_by(e.c.id.desc()).limit(1)
    found = connection.execute(query).mappings().first()
    return dict(found) if found else None


def _deliveries(connection: Any, alert_id: int) -> list[dict[str, Any]]:
    """Every attempt to tell anyone of this alert, oldest first, with the channel and notification it was for."""
    n, d, na = t.notifications, t.deliveries, t.notification_alerts
    query = (
        select(
            d.c.at,
            d.c.attempt,
            d.c.outcome,
            d.c.status_code,
            d.c.latency_ms,
            d.c.detail,
            n.c.id.label("notification_id"),
            n.c.channel_id,
            n.c.channel_type,
            n.c.action,
            n.c.idempotency_key,
        )
        .select_from(na.join(n, na.c.notification_id == n.c.id).join(d, d.c.notification_id == n.c.id))
        .where(na.c.alert_id == alert_id)
        .order_by(d.c.at, d.c.id)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def pending_notifications(db: Database, alert_id: int) -> list[dict[str, Any]]:
    """Notifications about this alert that are not yet sent or given up."""
    n, na = t.notifications, t.notification_alerts
    query = (
        select(n.c.id, n.c.channel_id, n.c.action, n.c.attempts, n.c.due_at, n.c.last_error)
        .select_from(na.join(n, na.c.notification_id == n.c.id))
        .where(na.c.alert_id == alert_id, n.c.status == "pending")
        .order_by(n.c.id)
    )
    with db.reading() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def act(db: Database, alert_id: int, action: str, actor: Actor, now: datetime) -> Received:
    """Acknowledges or resolves an open alert by hand, through the same path as any other signal, as a member
    of the alert's team (or a platform admin), audited in the same transaction. The timeline names them as
    `NAME (console)`, `(api)` or `(cli)`: the on-call reports read who answered from it."""
    with db.reading() as connection:
        row = store.get(connection, alert_id)
    if row is None:
        raise NoSuchAlert(f"there is no alert {alert_id}")
    require_member(actor, [row["team_id"]], f"alert {alert_id}")  # before saying anything more about it
    if row["status"] == "resolved":
        raise NoSuchAlert(f"alert {alert_id} is already resolved")

    def write(connection: Connection) -> Received:
        before = store.get(connection, alert_id)  # as this transaction finds it, not as it was read above
        assert before is not None
        received = receive_one(connection, signal_for(row, action, f"{actor.name} ({actor.via})"), now)
        audit_act(connection, actor, now, before, action)
        return received

    return in_transaction(db, write)


def audit_act(connection: Connection, actor: Actor, now: datetime, row: RowMapping, action: str) -> None:
    """An entry when the alert's status changed: acknowledging an acknowledged alert is answered `ignored`
    and changes nothing, so the log shows nothing either."""
    after = store.get(connection, row["id"])
    if after is None or after["status"] == row["status"]:
        return
    obj = ("alert", str(row["id"]))
    record(
        connection,
        actor,
        now,
        f"alert.{action}",
        obj,
        row["team_id"],
        {"status": row["status"]},
        {"status": after["status"]},
    )


def signal_for(row: RowMapping, action: str, actor: str) -> Signal:
    """A person acknowledging or resolving an alert by hand, as a signal like any other."""
    return Signal(
        action=action,  # type: ignore[arg-type]
        dedup_key=row["dedup_key"],
        source=row["source"],
        subject=Subject(row["subject_kind"], row["subject_id"]),
        summary=f"{'acknowledged' if action == 'acknowledge' else 'resolved'} by hand",
        actor=actor,
    )


def inbox(db: Database, channel: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Messages the inbox channels kept, newest first."""
    i = t.inbox_messages
    query = select(i).order_by(i.c.at.desc(), i.c.id.desc()).limit(limit)
    if channel is not None:
        query = query.where(i.c.channel_id == channel)
    with db.reading() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]

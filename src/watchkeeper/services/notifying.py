"""Flushing due groups into the outbox: one notification per channel of the group's route, written in the
same transaction that records the group as flushed and its alerts as told (ADR 0021)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Connection, RowMapping, select, update

from watchkeeper.catalog.teams import EscalationPolicy
from watchkeeper.domain import grouping, routing
from watchkeeper.logs import get_logger
from watchkeeper.services import escalation, pipeline
from watchkeeper.services import outbox as outbox_rows
from watchkeeper.services.batches import in_batches
from watchkeeper.services.outbox import RETRY_FAILED, Outbox
from watchkeeper.services.pipeline import timing_of
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.notifying")
GROUPS_A_TRANSACTION = 50


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
    flush_one = partial(flush, now=now, outbox=outbox)
    later = partial(_flush_later, at=now + RETRY_FAILED)  # tried again a minute later, not on every pass
    return in_batches(db, keys, GROUPS_A_TRANSACTION, flush_one, later, "flushing a group")


def _flush_later(connection: Connection, key: str, at: datetime) -> None:
    connection.execute(update(t.alert_groups).where(t.alert_groups.c.key == key).values(flush_at=at))


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


def _escalate(
    connection: Connection,
    group: RowMapping,
    policy: EscalationPolicy,
    items: Sequence[RowMapping],
    reminder: bool,
    now: datetime,
    outbox: Outbox,
) -> int:
    """A route that escalates: the policy pages (ADR 0036); news goes to whoever it has reached."""
    told = escalation.tell(connection, group, policy, items, reminder, now, outbox)
    if told:
        note = "reminded" if reminder else "notified"
        for alert in items:
            store.add_event(connection, alert["id"], now, "notified", f"{note} {', '.join(told)} (policy {policy.id})")
    return len(told)


def _write(
    connection: Connection,
    group: RowMapping,
    items: Sequence[RowMapping],
    reminder: bool,
    now: datetime,
    outbox: Outbox,
) -> int:
    policy = pipeline.routing_book(connection).policy_now(group["team_id"], group["route"])
    if policy is not None:
        return _escalate(connection, group, policy, items, reminder, now, outbox)
    wanted = routing.channel_targets(pipeline.routing_book(connection).targets_now(group["team_id"], group["route"]))
    types = book.channel_types(connection, wanted)
    sequence = group["flushes"] + 1
    told: list[str] = []
    for channel_id in wanted:
        if channel_id not in types:
            continue
        message = outbox_rows.group_message(
            connection, group, items, reminder, channel_id, sequence, now, outbox.public_url
        )
        outbox_rows.enqueue(connection, message, types[channel_id], group["key"], [a["id"] for a in items], now, outbox)
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

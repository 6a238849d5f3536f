"""Escalation: a paging group's policy, level by level, until someone acknowledges (ADR 0036).

A group whose route names an escalation policy starts an escalation when it first has an unacknowledged alert
to tell of. Its levels are paged at their times; each person paged is reached the ways their own rules say, one
contact a way, each due at its own time. Every step is a compare-and-set on the escalation, taken inside the
transaction that writes its contacts, and a contact is claimed before its notification is written in the same
transaction: a restart continues where it was, and two engines never page twice.

The engine looks at an escalation when its next level is due, when its acknowledgement times out, and at once
when its group's alerts change (an acknowledgement or resolution wakes it, `store.escalations.wake`). A contact
due later (a text message five minutes after the email) is sent only if, when it falls due, the group still has
an alert nobody has acknowledged. Paging a level and writing its contacts' notifications are in
`services.paging`.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, RowMapping, select, update

from watchkeeper.catalog.teams import EscalationPolicy
from watchkeeper.domain import escalation as steps
from watchkeeper.logs import get_logger
from watchkeeper.services import outbox as rows
from watchkeeper.services import paging, pipeline
from watchkeeper.services.outbox import RETRY_FAILED, Outbox, Reach
from watchkeeper.store import Database
from watchkeeper.store import escalations as store
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t
from watchkeeper.store.contention import Contended, in_transaction

log = get_logger("watchkeeper.escalation")
A_TRANSACTION = 50
CHANNEL_TYPE_OF_WAY = {"inbox": "inbox", "email": "email", "sms": "notify", "phone": "notify"}


# The group flush, in its transaction.


def tell(
    connection: Connection,
    group: RowMapping,
    policy: EscalationPolicy,
    items: Sequence[RowMapping],
    reminder: bool,
    now: datetime,
    outbox: Outbox,
) -> list[str]:
    """A group's news on a route that escalates. An alert nobody has acknowledged starts the escalation, or
    starts it again after an acknowledgement; other news (an acknowledgement, a resolution, a reminder, a new
    alert while paging goes on) goes to whoever it has reached so far. Returns who was told of news."""
    last = store.latest(connection, group["key"])
    fresh = any(a["status"] == "triggered" and a["notified_status"] != "triggered" for a in items)
    if fresh and (last is None or last["status"] != "active"):
        _begin(connection, group, policy, last, now, outbox.reach)
        return []  # its pages are written as their contacts fall due, and each is in the timeline
    if last is None:
        return []
    return _tell_audience(connection, last, group, items, reminder, now, outbox)


def _begin(
    connection: Connection,
    group: RowMapping,
    policy: EscalationPolicy,
    last: RowMapping | None,
    now: datetime,
    reach: Reach,
) -> list[str]:
    if last is not None and last["status"] != "ended":
        store.move(connection, last, status="ended", ended_at=now, next_at=None)
        store.skip_pending(connection, last["id"])
    first = steps.first(paging.plan_of(policy), now)
    waits = first.at > now  # a first level with an `after`: nothing is paged until then
    values = {
        "group_key": group["key"],
        "team_id": group["team_id"],
        "policy_id": policy.id,
        "status": "active",
        "round": 0,
        "level": -1 if waits else 0,
        "round_started_at": now,
        "next_at": first.at if waits else None,
        "started_at": now,
    }
    escalation_id = store.begin(connection, values)
    row = store.get(connection, escalation_id)
    assert row is not None
    return [] if waits else paging.page_from(connection, row, policy, first, now, reach)


def _tell_audience(
    connection: Connection,
    escalation: RowMapping,
    group: RowMapping,
    items: Sequence[RowMapping],
    reminder: bool,
    now: datetime,
    outbox: Outbox,
) -> list[str]:
    told = []
    sequence = group["flushes"] + 1
    for reached in store.audience(connection, escalation["id"]):
        channel_id, channel_type = paging.address(
            connection, reached["person_id"], reached["channel_id"], reached["via"]
        )
        if channel_type is None:
            continue  # a channel that has left the catalog
        message = rows.group_message(connection, group, items, reminder, channel_id, sequence, now, outbox.public_url)
        rows.enqueue(connection, message, channel_type, group["key"], [a["id"] for a in items], now, outbox)
        told.append(channel_id)
    return told


# The engine's passes.


def step_due(db: Database, now: datetime, outbox: Outbox, limit: int = 500) -> int:
    """Takes every escalation step due by `now`; returns how many escalations moved."""
    with db.reading() as connection:
        due = store.due(connection, now, limit)
    moved = 0
    for escalation_id, version in due:
        try:
            moved += in_transaction(
                db, partial(_step, escalation_id=escalation_id, version=version, now=now, reach=outbox.reach)
            )
        except (store.Moved, Contended):
            continue  # another engine took this step (ours is rolled back), or the next pass will
        except Exception as error:  # this escalation alone: the others step on
            log.error(
                "escalation step failed", escalation=escalation_id, error=str(error), error_type=type(error).__name__
            )
            with db.transaction() as connection:
                store.postpone(connection, escalation_id, now + RETRY_FAILED)
    return moved


def _step(connection: Connection, escalation_id: int, version: int, now: datetime, reach: Reach) -> int:
    row = store.get(connection, escalation_id)
    if row is None or row["version"] != version or row["status"] == "ended":
        return 0
    if row["next_at"] is None or row["next_at"] > now:
        return 0
    opened = store.open_alerts(connection, row["group_key"])
    alerts = paging.live_alerts(connection, opened, now)
    if not alerts:
        why = "its alerts are silenced or in maintenance" if opened else "its alerts are resolved"
        _end(connection, row, opened, now, why)
        return 1
    policy = _policy(connection, row)
    if policy is None:  # the group's route no longer escalates: its team's channels are told instead
        _end(connection, row, alerts, now, f"policy {row['policy_id']} has left the catalog")
        if any(a["status"] == "triggered" for a in alerts):
            paging.nobody_at_all(connection, row, now, reach)
        return 1
    waiting = [a for a in alerts if a["status"] == "triggered"]
    if row["status"] == "acknowledged":
        return _after_acknowledgement(connection, row, policy, alerts, waiting, now, reach)
    if not waiting:
        _acknowledged(connection, row, policy, alerts, now)
        return 1
    if row["status"] == "exhausted":
        store.move(connection, row, next_at=None)
        return 1
    current = steps.Step(row["round"], row["level"], row["round_started_at"], row["next_at"])
    step = steps.following(paging.plan_of(policy), current)
    if step is None:
        store.move(connection, row, status="exhausted", next_at=None)
        paging.event(connection, alerts, now, "escalated", "every level has been paged and nobody has acknowledged")
        return 1
    if step.at > now:  # woken by a change that was not an acknowledgement of everything
        store.move(connection, row, next_at=step.at)
        return 1
    paging.page_from(connection, row, policy, step, now, reach)
    return 1


def _after_acknowledgement(
    connection: Connection,
    row: RowMapping,
    policy: EscalationPolicy,
    alerts: list[RowMapping],
    waiting: list[RowMapping],
    now: datetime,
    reach: Reach,
) -> int:
    acknowledged = [a for a in alerts if a["status"] == "acknowledged"]
    timeout = policy.ack_timeout
    since = max((a["acknowledged_at"] for a in acknowledged), default=now)
    if waiting or timeout is None or since + timeout > now:
        # A new alert waiting here starts a new escalation when its group flushes; until then (or if it is
        # silenced first) the acknowledgement's timeout still runs.
        store.move(connection, row, next_at=since + timeout if timeout and since + timeout > now else None)
        return 1
    # Acknowledged but not resolved for too long: the alerts are unacknowledged and the levels start again.
    for alert in acknowledged:
        connection.execute(
            update(t.alerts)
            .where(t.alerts.c.id == alert["id"])
            .values(
                status="triggered",
                acknowledged_at=None,
                acknowledged_by=None,
                updated_at=now,
                notified_status="triggered",
            )
        )
    minutes = int(timeout.total_seconds() // 60)
    paging.event(
        connection, acknowledged, now, "escalated", f"acknowledged {minutes} min ago and not resolved: paging again"
    )
    store.move(connection, row, status="ended", ended_at=now, next_at=None)
    store.skip_pending(connection, row["id"])
    _begin(connection, paging.group_row(connection, row["group_key"]), policy, None, now, reach)
    return 1


def _acknowledged(
    connection: Connection, row: RowMapping, policy: EscalationPolicy, alerts: list[RowMapping], now: datetime
) -> None:
    since = max(a["acknowledged_at"] for a in alerts)
    timeout = policy.ack_timeout
    store.move(connection, row, status="acknowledged", next_at=since + timeout if timeout else None)
    skipped = store.skip_pending(connection, row["id"])
    who = ", ".join(sorted({a["acknowledged_by"] or "someone" for a in alerts}))
    note = f"escalation stopped: acknowledged by {who}"
    if skipped:
        note += f"; {skipped} contact{'s' if skipped != 1 else ''} still to come not sent"
    paging.event(connection, alerts, now, "escalated", note)


def _end(connection: Connection, row: RowMapping, alerts: list[RowMapping], now: datetime, why: str) -> None:
    store.move(connection, row, status="ended", ended_at=now, next_at=None)
    store.skip_pending(connection, row["id"])
    if alerts:
        paging.event(connection, alerts, now, "escalated", f"escalation ended: {why}")


def _policy(connection: Connection, row: RowMapping) -> EscalationPolicy | None:
    """The policy the group's route names now (a policy renamed in the catalog carries on under its new
    name), else the one it began with, if it is still there."""
    group = (
        connection.execute(select(t.alert_groups).where(t.alert_groups.c.key == row["group_key"])).mappings().first()
    )
    current = pipeline.routing_book(connection).policy_now(row["team_id"], group["route"]) if group else None
    return current or book.team_routing(connection, row["team_id"]).policies.get(row["policy_id"])

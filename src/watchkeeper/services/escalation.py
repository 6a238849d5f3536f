"""Escalation: a paging group's policy, level by level, until someone acknowledges (ADR 0036).

A group whose route names an escalation policy starts an escalation when it first has an unacknowledged alert
to tell of. Its levels are paged at their times; each person paged is reached the ways their own rules say, one
contact a way, each due at its own time. Every step is a compare-and-set on the escalation, taken inside the
transaction that writes its contacts, and a contact is claimed before its notification is written in the same
transaction: a restart continues where it was, and two engines never page twice.

The engine looks at an escalation when its next level is due, when its acknowledgement times out, and at once
when its group's alerts change (an acknowledgement or resolution wakes it, `store.escalations.wake`). A contact
due later (a text message five minutes after the email) is sent only if, when it falls due, the group still has
an alert nobody has acknowledged.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update

from watchkeeper.catalog.teams import EscalationPolicy, NotifyRule, Person
from watchkeeper.domain import escalation as steps
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.logs import get_logger
from watchkeeper.services import alerts as alert_service
from watchkeeper.services import oncall, pipeline
from watchkeeper.services import outbox as rows
from watchkeeper.services.batches import in_batches
from watchkeeper.services.outbox import RETRY_FAILED, Outbox, Reach
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
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
    first = steps.first(_plan(policy), now)
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
    return [] if waits else _page_from(connection, row, policy, first, now, reach)


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
        channel_id, channel_type = _address(connection, reached["person_id"], reached["channel_id"], reached["via"])
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


def send_due(db: Database, now: datetime, outbox: Outbox, limit: int = 1000) -> int:
    """Writes the notification of every contact due by `now` whose escalation still wants it."""
    with db.reading() as connection:
        due = store.due_contacts(connection, now, limit)
    send = partial(_send, now=now, outbox=outbox)
    return in_batches(db, due, A_TRANSACTION, send, store.fail_contact, "writing a contact's notification")


def _step(connection: Connection, escalation_id: int, version: int, now: datetime, reach: Reach) -> int:
    row = store.get(connection, escalation_id)
    if row is None or row["version"] != version or row["status"] == "ended":
        return 0
    if row["next_at"] is None or row["next_at"] > now:
        return 0
    opened = store.open_alerts(connection, row["group_key"])
    alerts = _live(connection, opened, now)
    if not alerts:
        why = "its alerts are silenced or in maintenance" if opened else "its alerts are resolved"
        _end(connection, row, opened, now, why)
        return 1
    policy = _policy(connection, row)
    if policy is None:  # the group's route no longer escalates: its team's channels are told instead
        _end(connection, row, alerts, now, f"policy {row['policy_id']} has left the catalog")
        if any(a["status"] == "triggered" for a in alerts):
            _nobody_at_all(connection, row, now, reach)
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
    step = steps.following(_plan(policy), current)
    if step is None:
        store.move(connection, row, status="exhausted", next_at=None)
        _event(connection, alerts, now, "escalated", "every level has been paged and nobody has acknowledged")
        return 1
    if step.at > now:  # woken by a change that was not an acknowledgement of everything
        store.move(connection, row, next_at=step.at)
        return 1
    _page_from(connection, row, policy, step, now, reach)
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
    _event(connection, acknowledged, now, "escalated", f"acknowledged {minutes} min ago and not resolved: paging again")
    store.move(connection, row, status="ended", ended_at=now, next_at=None)
    store.skip_pending(connection, row["id"])
    _begin(connection, _group(connection, row["group_key"]), policy, None, now, reach)
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
    _event(connection, alerts, now, "escalated", note)


def _end(connection: Connection, row: RowMapping, alerts: list[RowMapping], now: datetime, why: str) -> None:
    store.move(connection, row, status="ended", ended_at=now, next_at=None)
    store.skip_pending(connection, row["id"])
    if alerts:
        _event(connection, alerts, now, "escalated", f"escalation ended: {why}")


# Paging a level.


def _page_from(
    connection: Connection,
    row: RowMapping,
    policy: EscalationPolicy,
    step: steps.Step,
    now: datetime,
    reach: Reach,
) -> list[str]:
    """Pages `step`'s level and every following level that has nobody to page (they are passed at once, as
    waiting for a level that reaches nobody helps nobody); records the next step."""
    plan = _plan(policy)
    reached: list[str] = []
    current = step
    while True:
        paged = _page_level(connection, row, policy, current, now, reach)
        reached.extend(paged)
        following = steps.following(plan, current)
        if paged or following is None or following.round != current.round:
            break
        current = steps.Step(following.round, following.level, following.round_started_at, now)
    following = steps.following(plan, current)
    store.move(
        connection,
        row,
        round=current.round,
        level=current.level,
        round_started_at=current.round_started_at,
        next_at=following.at if following else None,
        status="active" if following else "exhausted",
    )
    if not reached:
        _nobody_at_all(connection, row, now, reach)
    return reached


def _page_level(
    connection: Connection, row: RowMapping, policy: EscalationPolicy, step: steps.Step, now: datetime, reach: Reach
) -> list[str]:
    contacts: list[dict[str, Any]] = []
    reached: list[str] = []
    notes: list[str] = []
    base = {"escalation_id": row["id"], "round": step.round, "level": step.level, "created_at": now}
    paged: set[str] = set()  # a person a level names twice (directly and on call for a schedule) is paged once
    for target in dict.fromkeys(policy.levels[step.level].notify):
        kind, ident = target.split(":", 1)
        if kind == "channel":
            contacts.append({**base, "target": target, "channel_id": ident, "via": "channel", "due_at": now})
            reached.append(target)
            continue
        person_id = ident if kind == "person" else _on_call(connection, ident, now)
        if person_id is None:
            notes.append(f"nobody is on call for {ident}")
            _nobody_on_call(connection, row, ident, now)
            continue
        if person_id in paged:
            continue
        paged.add(person_id)
        person = store.person(connection, person_id)
        if person is None:
            notes.append(f"{person_id} is not in the catalog")
            continue
        link = store.new_link(connection, row["id"], person_id, now, now + reach.link_life)
        for way, after in _ways(person, reach):
            contact = {**base, "target": target, "person_id": person_id, "via": way, "page_link_id": link}
            contacts.append({**contact, "due_at": now + after})
        reached.append(f"person:{person_id}" + (f" (on call for {ident})" if kind == "schedule" else ""))
    store.add_contacts(connection, contacts)
    level = f"level {step.level + 1}" + (f", round {step.round + 1}" if step.round else "")
    text = f"{level}: paging {', '.join(reached)}" if reached else f"{level}: nobody to page"
    if notes:
        text += f" ({'; '.join(notes)})"
    _event(connection, store.open_alerts(connection, row["group_key"]), now, "escalated", text)
    return reached


def _on_call(connection: Connection, schedule_id: str, now: datetime) -> str | None:
    try:
        found = oncall.person_on_call(connection, schedule_id, now)
    except NotFound:
        return None  # the schedule left the catalog after the policy was read: nobody on call for it
    return found.id if found else None


def _ways(person: Person, reach: Reach) -> list[tuple[str, timedelta]]:
    """How a paged person is reached: their inbox at once, then each of their rules at its time. A person
    without rules is emailed at once when this installation can send email."""
    rules = person.notify or ([NotifyRule(via="email", after=timedelta(0))] if reach.email else [])
    return [("inbox", timedelta(0)), *((rule.via, rule.after) for rule in rules)]


def _nobody_on_call(connection: Connection, row: RowMapping, schedule_id: str, now: datetime) -> None:
    """A gap in a rota at the moment of a page is itself an alert to the platform team (to the paging team
    when the catalog has no platform team), never a silent drop."""
    owner = store.platform_team(connection) or row["team_id"]
    summary = f"Nobody is on call for schedule {schedule_id} (team {row['team_id']}) when it was paged"
    signal = Signal(
        action="trigger",
        dedup_key=f"watchkeeper:nobody-on-call:{schedule_id}",
        source="watchkeeper",
        subject=Subject("team", owner),
        severity="page",
        summary=summary,
        details={"schedule": schedule_id, "team": row["team_id"], "group": row["group_key"]},
        labels={"schedule": schedule_id, "reason": "nobody-on-call"},
    )
    # A gap alert whose own page finds a rota empty only counts again (one open alert a key): no loop.
    alert_service.receive_one(connection, signal, now)


def _nobody_at_all(connection: Connection, row: RowMapping, now: datetime, reach: Reach) -> None:
    """A round that reached nobody tells every channel of the team, or, when it has none, every person of the
    team by their inbox (and email), so the page is not lost."""
    base = {"escalation_id": row["id"], "round": row["round"], "level": row["level"], "created_at": now, "due_at": now}
    channels = sorted(book.team_routing(connection, row["team_id"]).channels)
    if channels:
        contacts = [{**base, "target": f"channel:{c}", "channel_id": c, "via": "channel"} for c in channels]
        told = ", ".join(channels)
    else:
        people = store.team_people(connection, row["team_id"])
        ways = ["inbox", "email"] if reach.email else ["inbox"]
        contacts = [{**base, "target": f"person:{p}", "person_id": p, "via": w} for p in people for w in ways]
        told = "every person of the team: " + ", ".join(people)
    store.add_contacts(connection, contacts)
    alerts = store.open_alerts(connection, row["group_key"])
    if contacts:
        _event(connection, alerts, now, "escalated", f"nobody to page: telling {told}")
    else:  # a team with no channel and no people: the catalog allows it, so say it as loudly as we can
        log.error("nobody to page and nobody in the team to tell", team=row["team_id"], group=row["group_key"])
        _event(connection, alerts, now, "escalated", "nobody to page, and the team has no channel and no people")


# Sending a contact.


def _send(connection: Connection, contact_id: int, now: datetime, outbox: Outbox) -> int:
    contact = store.claim_contact(connection, contact_id, "sent")
    if contact is None:
        return 0  # another engine sent it
    escalation = store.get(connection, contact["escalation_id"])
    alerts = _live(connection, store.open_alerts(connection, escalation["group_key"]), now) if escalation else []
    live = escalation is not None and escalation["status"] in ("active", "exhausted")
    if not live or not any(a["status"] == "triggered" for a in alerts):
        connection.execute(
            update(t.escalation_contacts).where(t.escalation_contacts.c.id == contact_id).values(status="skipped")
        )
        return 0
    channel_id, channel_type = _address(connection, contact["person_id"], contact["channel_id"], contact["via"])
    if channel_type is None:
        _event(connection, alerts, now, "escalated", f"channel {channel_id} is not in the catalog: not paged")
        return 0
    assert escalation is not None
    group = _group(connection, escalation["group_key"])
    message = rows.group_message(
        connection, group, alerts, False, channel_id, group["flushes"] + 1, now, outbox.public_url
    )
    if contact["page_link_id"] is not None:
        message = rows.paging(message, contact["page_link_id"])
    notification_id = rows.enqueue(
        connection, message, channel_type, group["key"], [a["id"] for a in alerts], now, outbox
    )
    store.set_notification(connection, contact_id, notification_id)
    who = f"{contact['person_id']} by {contact['via']}" if contact["person_id"] else channel_id
    _event(connection, alerts, now, "notified", f"paged {who} (level {contact['level'] + 1})")
    return 1


def _address(connection: Connection, person_id: str | None, channel_id: str | None, via: str) -> tuple[str, str | None]:
    """The outbox's channel id and type for a contact: a person's way (`person:ID/email`), or a channel of
    the catalog (no type when it has left the catalog)."""
    if person_id is not None:
        return f"person:{person_id}/{via}", CHANNEL_TYPE_OF_WAY.get(via)
    assert channel_id is not None
    return channel_id, book.channel_types(connection, [channel_id]).get(channel_id)


def _live(connection: Connection, alerts: list[RowMapping], now: datetime) -> list[RowMapping]:
    """The open alerts no silence or window covers now: one made since the last step sets them aside (as the
    group's flush would) before anyone else is woken for them."""
    return [a for a in alerts if not pipeline.suppress_now(connection, a, now)]


def _policy(connection: Connection, row: RowMapping) -> EscalationPolicy | None:
    """The policy the group's route names now (a policy renamed in the catalog carries on under its new
    name), else the one it began with, if it is still there."""
    group = (
        connection.execute(select(t.alert_groups).where(t.alert_groups.c.key == row["group_key"])).mappings().first()
    )
    current = pipeline.routing_book(connection).policy_now(row["team_id"], group["route"]) if group else None
    return current or book.team_routing(connection, row["team_id"]).policies.get(row["policy_id"])


def _group(connection: Connection, key: str) -> RowMapping:
    return connection.execute(select(t.alert_groups).where(t.alert_groups.c.key == key)).mappings().one()


def _plan(policy: EscalationPolicy) -> steps.Plan:
    return steps.plan([level.after for level in policy.levels], policy.repeat, policy.repeat_after)


def _event(connection: Connection, alerts: Sequence[RowMapping], now: datetime, kind: str, text: str) -> None:
    for alert in alerts:
        alert_store.add_event(connection, alert["id"], now, kind, text)

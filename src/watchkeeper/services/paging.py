"""Paging: the contacts a level of an escalation makes (a person by each of their ways, a channel), what
happens when it reaches nobody, and writing each contact's notification when it falls due (ADR 0036). The
escalation's steps, which decide when a level is paged, are in `services.escalation`."""

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
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import escalations as store
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.paging")
A_TRANSACTION = 50
CHANNEL_TYPE_OF_WAY = {"inbox": "inbox", "email": "email", "sms": "notify", "phone": "notify"}


def send_due(db: Database, now: datetime, outbox: Outbox, limit: int = 1000) -> int:
    """Writes the notification of every contact due by `now` whose escalation still wants it."""
    with db.reading() as connection:
        due = store.due_contacts(connection, now, limit)
    send = partial(_send, now=now, outbox=outbox)
    return in_batches(db, due, A_TRANSACTION, send, store.fail_contact, "writing a contact's notification")


def page_from(
    connection: Connection,
    row: RowMapping,
    policy: EscalationPolicy,
    step: steps.Step,
    now: datetime,
    reach: Reach,
) -> list[str]:
    """Pages `step`'s level and every following level that has nobody to page (they are passed at once, as
    waiting for a level that reaches nobody helps nobody); records the next step."""
    plan = plan_of(policy)
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
        nobody_at_all(connection, row, now, reach)
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
    event(connection, store.open_alerts(connection, row["group_key"]), now, "escalated", text)
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


def nobody_at_all(connection: Connection, row: RowMapping, now: datetime, reach: Reach) -> None:
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
        event(connection, alerts, now, "escalated", f"nobody to page: telling {told}")
    else:  # a team with no channel and no people: the catalog allows it, so say it as loudly as we can
        log.error("nobody to page and nobody in the team to tell", team=row["team_id"], group=row["group_key"])
        event(connection, alerts, now, "escalated", "nobody to page, and the team has no channel and no people")


# Sending a contact.


def _send(connection: Connection, contact_id: int, now: datetime, outbox: Outbox) -> int:
    contact = store.claim_contact(connection, contact_id, "sent")
    if contact is None:
        return 0  # another engine sent it
    escalation = store.get(connection, contact["escalation_id"])
    alerts = live_alerts(connection, store.open_alerts(connection, escalation["group_key"]), now) if escalation else []
    live = escalation is not None and escalation["status"] in ("active", "exhausted")
    if not live or not any(a["status"] == "triggered" for a in alerts):
        connection.execute(
            update(t.escalation_contacts).where(t.escalation_contacts.c.id == contact_id).values(status="skipped")
        )
        return 0
    channel_id, channel_type = address(connection, contact["person_id"], contact["channel_id"], contact["via"])
    if channel_type is None:
        event(connection, alerts, now, "escalated", f"channel {channel_id} is not in the catalog: not paged")
        return 0
    assert escalation is not None
    group = group_row(connection, escalation["group_key"])
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
    event(connection, alerts, now, "notified", f"paged {who} (level {contact['level'] + 1})")
    return 1


def address(connection: Connection, person_id: str | None, channel_id: str | None, via: str) -> tuple[str, str | None]:
    """The outbox's channel id and type for a contact: a person's way (`person:ID/email`), or a channel of
    the catalog (no type when it has left the catalog)."""
    if person_id is not None:
        return f"person:{person_id}/{via}", CHANNEL_TYPE_OF_WAY.get(via)
    assert channel_id is not None
    return channel_id, book.channel_types(connection, [channel_id]).get(channel_id)


def live_alerts(connection: Connection, alerts: list[RowMapping], now: datetime) -> list[RowMapping]:
    """The open alerts no silence or window covers now: one made since the last step sets them aside (as the
    group's flush would) before anyone else is woken for them."""
    return [a for a in alerts if not pipeline.suppress_now(connection, a, now)]


def group_row(connection: Connection, key: str) -> RowMapping:
    return connection.execute(select(t.alert_groups).where(t.alert_groups.c.key == key)).mappings().one()


def plan_of(policy: EscalationPolicy) -> steps.Plan:
    return steps.plan([level.after for level in policy.levels], policy.repeat, policy.repeat_after)


def event(connection: Connection, alerts: Sequence[RowMapping], now: datetime, kind: str, text: str) -> None:
    for alert in alerts:
        alert_store.add_event(connection, alert["id"], now, kind, text)

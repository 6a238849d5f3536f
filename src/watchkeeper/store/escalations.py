"""Escalations, their contacts and page links. Every change to an escalation is a compare-and-set on its
`version`, so two engines (or an engine and a restart of itself) never take the same step twice."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, update

from watchkeeper.catalog.teams import Person
from watchkeeper.store import tables as t


class Moved(Exception):
    """Another engine took this step first; the caller rolls its transaction back and moves on."""


def latest(connection: Connection, group_key: str) -> RowMapping | None:
    """The group's newest escalation, ended or not, locked on PostgreSQL."""
    e = t.escalations
    query = select(e).where(e.c.group_key == group_key).order_by(e.c.id.desc()).limit(1).with_for_update()
    return connection.execute(query).mappings().first()


def get(connection: Connection, escalation_id: int) -> RowMapping | None:
    e = t.escalations
    return connection.execute(select(e).where(e.c.id == escalation_id).with_for_update()).mappings().first()


def begin(connection: Connection, values: dict[str, Any]) -> int:
    e = t.escalations
    new_id: int = connection.execute(insert(e).returning(e.c.id), {**values, "version": 0}).scalar_one()
    return new_id


def move(connection: Connection, row: RowMapping, **values: Any) -> None:
    """Changes the escalation if nobody has since it was read; raises Moved when somebody has."""
    e = t.escalations
    statement = (
        update(e).where(e.c.id == row["id"], e.c.version == row["version"]).values(**values, version=row["version"] + 1)
    )
    if connection.execute(statement).rowcount != 1:
        raise Moved


def due(connection: Connection, now: datetime, limit: int) -> list[tuple[int, int]]:
    e = t.escalations
    query = (
        select(e.c.id, e.c.version).where(e.c.status != "ended", e.c.next_at <= now).order_by(e.c.next_at).limit(limit)
    )
    return [(row.id, row.version) for row in connection.execute(query)]


def postpone(connection: Connection, escalation_id: int, at: datetime) -> None:
    e = t.escalations
    connection.execute(update(e).where(e.c.id == escalation_id).values(next_at=at))


def fail_contact(connection: Connection, contact_id: int) -> None:
    """A contact whose notification could not be written: kept as `failed`, with the error in the log."""
    c = t.escalation_contacts
    connection.execute(update(c).where(c.c.id == contact_id, c.c.status == "pending").values(status="failed"))


def wake(connection: Connection, group_key: str, now: datetime) -> None:
    """A group's alerts changed (acknowledged, resolved): its live escalation looks again at once."""
    e = t.escalations
    connection.execute(
        update(e)
        .where(e.c.group_key == group_key, e.c.status != "ended", (e.c.next_at.is_(None)) | (e.c.next_at > now))
        .values(next_at=now)
    )


def add_contacts(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """New contacts, pending; rows name a person or a channel, and the other is left empty."""
    blank = {"person_id": None, "channel_id": None, "page_link_id": None, "status": "pending"}
    if rows:
        connection.execute(insert(t.escalation_contacts), [{**blank, **row} for row in rows])


def skip_pending(connection: Connection, escalation_id: int) -> int:
    c = t.escalation_contacts
    statement = update(c).where(c.c.escalation_id == escalation_id, c.c.status == "pending").values(status="skipped")
    return connection.execute(statement).rowcount


def due_contacts(connection: Connection, now: datetime, limit: int) -> list[int]:
    c = t.escalation_contacts
    query = select(c.c.id).where(c.c.status == "pending", c.c.due_at <= now).order_by(c.c.due_at).limit(limit)
    return list(connection.execute(query).scalars())


def claim_contact(connection: Connection, contact_id: int, status: str) -> RowMapping | None:
    """Moves a pending contact on; None when another engine already has."""
    c = t.escalation_contacts
    claimed = connection.execute(
        update(c).where(c.c.id == contact_id, c.c.status == "pending").values(status=status).returning(*c.c)
    )
    return claimed.mappings().first()


def set_notification(connection: Connection, contact_id: int, notification_id: int) -> None:
    c = t.escalation_contacts
    connection.execute(update(c).where(c.c.id == contact_id).values(notification_id=notification_id))


def audience(connection: Connection, escalation_id: int) -> list[RowMapping]:
    """Who the escalation has reached so far, one row a person's way or channel, for news of its alerts."""
    c = t.escalation_contacts
    query = (
        select(c.c.person_id, c.c.channel_id, c.c.via)
        .where(c.c.escalation_id == escalation_id, c.c.status == "sent", c.c.via.in_(("inbox", "email", "channel")))
        .group_by(c.c.person_id, c.c.channel_id, c.c.via)
        .order_by(func.min(c.c.id))  # in the order they were reached
    )
    return list(connection.execute(query).mappings())


def open_alerts(connection: Connection, group_key: str) -> list[RowMapping]:
    """The group's alerts that are open and not set aside by a silence or window."""
    a = t.alerts
    query = (
        select(a)
        .where(a.c.group_key == group_key, a.c.status != "resolved", a.c.suppressed_by.is_(None))
        .order_by(a.c.id)
    )
    return list(connection.execute(query).mappings())


def person(connection: Connection, person_id: str) -> Person | None:
    spec = connection.execute(select(t.people.c.spec).where(t.people.c.id == person_id)).scalar()
    return None if spec is None else Person.model_validate(spec, strict=False)


def platform_team(connection: Connection) -> str | None:
    teams = t.teams
    query = select(teams.c.id).where(teams.c.platform_team.is_(True)).order_by(teams.c.id).limit(1)
    found: str | None = connection.execute(query).scalar()
    return found


def team_people(connection: Connection, team_id: str) -> list[str]:
    query = select(t.people.c.id).where(t.people.c.team_id == team_id).order_by(t.people.c.id)
    return list(connection.execute(query).scalars())


def new_link(
    connection: Connection, escalation_id: int, person_id: str | None, now: datetime, expires: datetime
) -> int:
    p = t.page_links
    values = {"escalation_id": escalation_id, "person_id": person_id, "created_at": now, "expires_at": expires}
    link_id: int = connection.execute(insert(p).returning(p.c.id), values).scalar_one()
    return link_id


def link(connection: Connection, link_id: int) -> RowMapping | None:
    return connection.execute(select(t.page_links).where(t.page_links.c.id == link_id)).mappings().first()


def use_link(connection: Connection, link_id: int, now: datetime, action: str) -> bool:
    """Spends the link; False when it was spent already (a second click, or a race with one)."""
    p = t.page_links
    statement = update(p).where(p.c.id == link_id, p.c.used_at.is_(None)).values(used_at=now, used_for=action)
    return connection.execute(statement).rowcount == 1

"""What on-call reports read: the escalations that started in a period with their alerts' outcome, the
acknowledgements and resolutions while each was live, and whom each reached. Three queries for any number of
escalations (ADR 0037).

An escalation is tied to its alerts only by its group: its alerts are the group's alerts that were open at some
moment while it was live (opened before it ended, and not resolved before it started).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, and_, case, func, or_, select

from watchkeeper.store import tables as t


@dataclass(frozen=True, slots=True)
class Scope:
    """Escalations that started at or after `start` and before `end`, of one team or of all."""

    start: datetime
    end: datetime
    team_id: str | None = None


def escalations(connection: Connection, scope: Scope) -> list[RowMapping]:
    """Each escalation in scope, oldest first: id, team_id, started_at, and of its alerts how many there were,
    how many are open, and when the last was resolved."""
    e, a = t.escalations, t.alerts
    query = (
        select(
            e.c.id,
            e.c.team_id,
            e.c.started_at,
            func.count(a.c.id).label("alerts"),
            func.coalesce(func.sum(case((a.c.resolved_at.is_(None), 1), else_=0)), 0).label("open_alerts"),
            func.max(a.c.resolved_at).label("last_resolved_at"),
        )
        .select_from(e.outerjoin(a, _its_alerts()))
        .group_by(e.c.id, e.c.team_id, e.c.started_at)
        .order_by(e.c.started_at, e.c.id)
    )
    return list(connection.execute(_within(query, scope)).mappings())


def responses(connection: Connection, scope: Scope) -> list[RowMapping]:
    """The acknowledgements and resolutions on the timelines of each escalation's group while it was live, the
    first of each kind by each actor (escalation_id, kind, actor, at): a storm of 500 alerts acknowledged from
    one link is one row, and the first answer to a page is always among them. A resolution nobody made (a
    check up again) is left out: it never answers a page."""
    e, a, v = t.escalations, t.alerts, t.alert_events
    query = (
        select(e.c.id.label("escalation_id"), v.c.kind, v.c.actor, func.min(v.c.at).label("at"))
        .select_from(e.join(a, a.c.group_key == e.c.group_key).join(v, v.c.alert_id == a.c.id))
        .where(
            or_(v.c.kind == "acknowledged", and_(v.c.kind == "resolved", v.c.actor.is_not(None))),
            v.c.at >= e.c.started_at,
            or_(e.c.ended_at.is_(None), v.c.at <= e.c.ended_at),
        )
        .group_by(e.c.id, v.c.kind, v.c.actor)
        .order_by(e.c.id)
    )
    return list(connection.execute(_within(query, scope)).mappings())


def reached(connection: Connection, scope: Scope) -> list[RowMapping]:
    """Whom each escalation sent something to: escalation_id, person_id and when the first was due. A
    contact skipped because the page was acknowledged first reached nobody."""
    e, c = t.escalations, t.escalation_contacts
    query = (
        select(c.c.escalation_id, c.c.person_id, func.min(c.c.due_at).label("at"))
        .select_from(e.join(c, c.c.escalation_id == e.c.id))
        .where(c.c.status == "sent", c.c.person_id.is_not(None))
        .group_by(c.c.escalation_id, c.c.person_id)
        .order_by(c.c.escalation_id, c.c.person_id)
    )
    return list(connection.execute(_within(query, scope)).mappings())


def people(connection: Connection) -> list[RowMapping]:
    """The catalog's people: id, team_id, name, email."""
    p = t.people
    return list(connection.execute(select(p.c.id, p.c.team_id, p.c.name, p.c.email).order_by(p.c.id)).mappings())


def team_names(connection: Connection) -> dict[str, str]:
    return {row.id: row.name for row in connection.execute(select(t.teams.c.id, t.teams.c.name))}


def _its_alerts() -> ColumnElement[bool]:
    e, a = t.escalations, t.alerts
    return and_(
        a.c.group_key == e.c.group_key,
        or_(e.c.ended_at.is_(None), a.c.created_at < e.c.ended_at),
        or_(a.c.resolved_at.is_(None), a.c.resolved_at >= e.c.started_at),
    )


def _within(query: Select[Any], scope: Scope) -> Select[Any]:
    e = t.escalations
    query = query.where(e.c.started_at >= scope.start, e.c.started_at < scope.end)
    return query if scope.team_id is None else query.where(e.c.team_id == scope.team_id)

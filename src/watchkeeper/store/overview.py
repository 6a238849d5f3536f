"""What the console's home page reads besides the down view and the on-call answers: the teams with their
platform flag, open alerts of some teams and how many each team has, the schedules a person covers in an
override, and the pages sent to a person's own inbox."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, select

from watchkeeper.store import tables as t

OPEN = ("triggered", "acknowledged")


@dataclass(frozen=True)
class TeamRow:
    id: str
    name: str
    platform_team: bool


def teams(connection: Connection) -> list[TeamRow]:
    query = select(t.teams.c.id, t.teams.c.name, t.teams.c.platform_team).order_by(t.teams.c.id)
    return [TeamRow(row.id, row.name, bool(row.platform_team)) for row in connection.execute(query)]


def open_alerts(connection: Connection, team_ids: Collection[str], limit: int) -> list[RowMapping]:
    """The open alerts of these teams, newest first."""
    a = t.alerts.c
    query = (
        select(t.alerts)
        .where(a.status.in_(OPEN), a.team_id.in_(sorted(team_ids)))
        .order_by(a.created_at.desc(), a.id.desc())
        .limit(limit)
    )
    return list(connection.execute(query).mappings())


def open_alerts_by_team(connection: Connection) -> dict[str, int]:
    a = t.alerts.c
    query = select(a.team_id, func.count()).where(a.status.in_(OPEN)).group_by(a.team_id)
    return {str(team): int(count) for team, count in connection.execute(query)}


def schedules_covered_by(connection: Connection, person_id: str, after: datetime) -> set[str]:
    """Schedules with an override, in force after `after`, that puts this person on call."""
    o = t.overrides.c
    query = select(o.schedule_id).where(o.person_id == person_id, o.ends_at > after, o.removed_at.is_(None))
    return set(connection.execute(query.distinct()).scalars())


def pages_to(connection: Connection, person_id: str, limit: int) -> list[RowMapping]:
    """What a person's own ways were sent through the inbox channel (`person:ID/inbox`), newest first."""
    i = t.inbox_messages.c
    query = (
        select(i.id, i.channel_id, i.team_id, i.at, i.subject)
        .where(i.channel_id.startswith(f"person:{person_id}/", autoescape=True))
        .order_by(i.at.desc(), i.id.desc())
        .limit(limit)
    )
    return list(connection.execute(query).mappings())

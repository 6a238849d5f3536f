"""What the on-call answers read from the loaded catalog: schedules with their teams, and the people they name.
Specs are read back through the catalog's own model, so a schedule means what the catalog meant."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from watchkeeper.catalog.teams import Schedule
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class StoredSchedule:
    team_id: str
    schedule: Schedule


@dataclass(frozen=True)
class StoredPerson:
    id: str
    name: str
    email: str


def schedules(connection: Connection, team_id: str | None = None) -> list[StoredSchedule]:
    """Every schedule in force (or one team's), by team and then id."""
    query = select(t.schedules.c.team_id, t.schedules.c.spec).order_by(t.schedules.c.team_id, t.schedules.c.id)
    if team_id is not None:
        query = query.where(t.schedules.c.team_id == team_id)
    return [
        StoredSchedule(row.team_id, Schedule.model_validate(row.spec, strict=False))
        for row in connection.execute(query)
    ]


def schedule(connection: Connection, schedule_id: str) -> StoredSchedule | None:
    row = connection.execute(
        select(t.schedules.c.team_id, t.schedules.c.spec).where(t.schedules.c.id == schedule_id)
    ).first()
    return None if row is None else _stored(row.team_id, row.spec)


def _stored(team_id: str, spec: dict[str, Any]) -> StoredSchedule:
    return StoredSchedule(team_id, Schedule.model_validate(spec, strict=False))


def schedule_ids(connection: Connection) -> list[str]:
    return list(connection.execute(select(t.schedules.c.id).order_by(t.schedules.c.id)).scalars())


def team_ids(connection: Connection) -> list[str]:
    return list(connection.execute(select(t.teams.c.id).order_by(t.teams.c.id)).scalars())


def people(connection: Connection, person_ids: Iterable[str]) -> dict[str, StoredPerson]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = connection.execute(select(t.people.c.id, t.people.c.name, t.people.c.email).where(t.people.c.id.in_(ids)))
    return {row.id: StoredPerson(row.id, row.name, row.email) for row in rows}

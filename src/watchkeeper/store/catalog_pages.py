"""Pages of the catalog's team-kept objects as the API lists them: people, schedules, escalation policies and
integrations (with their key's hint, never the key), each in order of id, filtered by team and the like."""

from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, Table, func, select

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import paged, rows_page


def people(
    connection: Connection, team: str | None, email: str | None, after: Key | None, limit: int
) -> Page[RowMapping]:
    p = t.people.c
    wheres = [p.team_id == team] if team is not None else []
    if email is not None:
        wheres.append(func.lower(p.email) == email.lower())
    return _page(connection, select(t.people), t.people, wheres, after, limit)


def person(connection: Connection, person_id: str) -> RowMapping | None:
    return connection.execute(select(t.people).where(t.people.c.id == person_id)).mappings().first()


def schedules(connection: Connection, team: str | None, after: Key | None, limit: int) -> Page[RowMapping]:
    return _page(connection, select(t.schedules), t.schedules, _team(t.schedules, team), after, limit)


def schedule(connection: Connection, schedule_id: str) -> RowMapping | None:
    return connection.execute(select(t.schedules).where(t.schedules.c.id == schedule_id)).mappings().first()


def policies(connection: Connection, team: str | None, after: Key | None, limit: int) -> Page[RowMapping]:
    table = t.escalation_policies
    return _page(connection, select(table), table, _team(table, team), after, limit)


def policy(connection: Connection, policy_id: str) -> RowMapping | None:
    table = t.escalation_policies
    return connection.execute(select(table).where(table.c.id == policy_id)).mappings().first()


def integrations(
    connection: Connection, team: str | None, integration_type: str | None, after: Key | None, limit: int
) -> Page[RowMapping]:
    wheres = _team(t.integrations, team)
    if integration_type is not None:
        wheres.append(t.integrations.c.type == integration_type)
    return _page(connection, _integrations(), t.integrations, wheres, after, limit)


def integration(connection: Connection, integration_id: str) -> RowMapping | None:
    query = _integrations().where(t.integrations.c.id == integration_id)
    return connection.execute(query).mappings().first()


def _integrations() -> Select[Any]:
    i, keys = t.integrations, t.integration_keys
    joined = i.join(keys, keys.c.integration_id == i.c.id, isouter=True)
    return select(i, keys.c.hint, keys.c.issued_at, keys.c.issued_by).select_from(joined)


def _team(table: Table, team: str | None) -> list[ColumnElement[bool]]:
    return [table.c.team_id == team] if team is not None else []


def _page(
    connection: Connection,
    query: Select[Any],
    table: Table,
    wheres: list[ColumnElement[bool]],
    after: Key | None,
    limit: int,
) -> Page[RowMapping]:
    found = connection.execute(paged(query.where(*wheres), [(table.c.id, False)], after, limit)).mappings().all()
    return rows_page(found, limit, lambda row: (row["id"],))

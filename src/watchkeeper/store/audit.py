"""The audit log: one row for each change anyone made, written in the transaction of the change."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from watchkeeper.store import tables as t

_e = t.audit_events.c


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    account_id: int | None
    token_id: int | None
    via: str
    action: str
    object_kind: str
    object_id: str
    team_id: str | None
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditFilter:
    team_id: str | None = None
    object_kind: str | None = None
    object_id: str | None = None
    account_id: int | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    """Rows older than this id: the cursor of the page before."""


_COLUMNS = (
    _e.id,
    _e.at,
    _e.actor,
    _e.account_id,
    _e.token_id,
    _e.via,
    _e.action,
    _e.object_kind,
    _e.object_id,
    _e.team_id,
    _e.before,
    _e.after,
)


def add(connection: Connection, values: dict[str, Any]) -> int:
    return int(connection.execute(insert(t.audit_events).values(values).returning(_e.id)).scalar_one())


def get(connection: Connection, event_id: int) -> AuditRow | None:
    row = connection.execute(select(*_COLUMNS).where(_e.id == event_id)).first()
    return None if row is None else AuditRow(**row._mapping)


def listing(connection: Connection, where: AuditFilter, limit: int) -> list[AuditRow]:
    """Newest first, by id (ids only grow, so a page boundary never moves under later writes)."""
    query = select(*_COLUMNS).order_by(_e.id.desc()).limit(limit)
    exact = {
        _e.team_id: where.team_id,
        _e.object_kind: where.object_kind,
        _e.object_id: where.object_id,
        _e.account_id: where.account_id,
        _e.action: where.action,
    }
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(_e.at >= where.since)
    if where.until is not None:
        query = query.where(_e.at < where.until)
    if where.before_id is not None:
        query = query.where(_e.id < where.before_id)
    return [AuditRow(**row._mapping) for row in connection.execute(query)]

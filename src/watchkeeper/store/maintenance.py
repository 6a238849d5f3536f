"""Maintenance windows in the store: the catalog's (in `maintenance_windows`, defined by their `spec`) and those
created at runtime (`runtime_maintenance`), with cancellation by compare-and-set."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, RowMapping, Select, and_, func, insert, or_, select, true, update

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import Sort, paged, rows_page

Listing = Literal["current", "ended", "all"]
"""current: on now or starting later; ended: over, on time or cancelled."""
ScopeKind = Literal["checks", "services", "platforms"]

_r = t.runtime_maintenance.c
_SCOPE_TABLES = {"checks": t.checks, "services": t.services, "platforms": t.platforms}


def catalog_windows(connection: Connection) -> list[RowMapping]:
    w = t.maintenance_windows.c
    query = select(w.id, w.name, w.service_id, w.platform_id, w.spec).order_by(w.id)
    return list(connection.execute(query).mappings())


def add(
    connection: Connection,
    name: str,
    scope: dict[str, list[str]],
    starts_at: datetime,
    ends_at: datetime,
    author: str,
    created_at: datetime,
    announce: bool = False,
) -> int:
    values: dict[str, Any] = {
        "name": name,
        "scope": scope,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "announce": announce,
        "author": author,
        "created_at": created_at,
    }
    return int(connection.execute(insert(t.runtime_maintenance).values(**values).returning(_r.id)).scalar_one())


def get(connection: Connection, window_id: int) -> RowMapping | None:
    return connection.execute(select(t.runtime_maintenance).where(_r.id == window_id)).mappings().first()


def _ended(now: datetime) -> ColumnElement[bool]:
    return or_(_r.ends_at <= now, and_(_r.cancelled_at.is_not(None), _r.cancelled_at <= now))


def listed(connection: Connection, now: datetime, which: Listing = "current", limit: int = 500) -> list[RowMapping]:
    """Current ones soonest to start first, ended ones latest to end first, all of them newest first."""
    return page(connection, now, which, None, limit).items


def page(connection: Connection, now: datetime, which: Listing, after: Key | None, limit: int) -> Page[RowMapping]:
    """A page of `listed`, after the key (see `key`) of the last window seen."""
    where, sorts = _order(now, which)
    query = paged(select(t.runtime_maintenance).where(where), sorts, after, limit)
    return rows_page(connection.execute(query).mappings().all(), limit, lambda row: key(row, which))


def key(row: RowMapping, which: Listing) -> Key:
    if which == "all":
        return (row["id"],)
    return (row["starts_at"] if which == "current" else row["ends_at"], row["id"])


def _order(now: datetime, which: Listing) -> tuple[ColumnElement[bool], list[Sort]]:
    if which == "current":
        return ~_ended(now), [(_r.starts_at, False), (_r.id, False)]
    if which == "ended":
        return _ended(now), [(_r.ends_at, True), (_r.id, True)]
    return true(), [(_r.id, True)]


def not_ended(connection: Connection, at: datetime) -> list[RowMapping]:
    """Runtime windows on at `at` or later, for the pipeline (it decides which are on)."""
    return list(connection.execute(select(t.runtime_maintenance).where(~_ended(at)).order_by(_r.id)).mappings())


def cancel(connection: Connection, window_id: int, at: datetime, by: str) -> bool:
    """Ends a window now, or cancels it before it starts; False when it had already ended. Compare-and-set."""
    result = connection.execute(
        update(t.runtime_maintenance).where(_r.id == window_id, ~_ended(at)).values(cancelled_at=at, cancelled_by=by)
    )
    return result.rowcount == 1


def missing_from_catalog(connection: Connection, kind: ScopeKind, ids: Iterable[str]) -> list[str]:
    """Those of `ids` that the catalog has no check, service or platform for, in the order given."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    table = _SCOPE_TABLES[kind]
    found = set(connection.execute(select(table.c.id).where(table.c.id.in_(wanted))).scalars())
    return [item for item in wanted if item not in found]


def owners(connection: Connection, scope: dict[str, list[str]]) -> set[str | None]:
    """The teams owning a window's checks, services and platforms (None for one the catalog no longer has)."""
    found: set[str | None] = set()
    s, p, c = t.services.c, t.platforms.c, t.checks.c
    if scope.get("services"):
        query = select(s.id, s.owner_team_id).where(s.id.in_(scope["services"]))
        found |= _owners_of(connection, query, scope["services"])
    if scope.get("platforms"):
        query = select(p.id, p.owner_team_id).where(p.id.in_(scope["platforms"]))
        found |= _owners_of(connection, query, scope["platforms"])
    if scope.get("checks"):
        query = (
            select(c.id, func.coalesce(s.owner_team_id, p.owner_team_id))
            .outerjoin(t.services, s.id == c.service_id)
            .outerjoin(t.platforms, p.id == c.platform_id)
            .where(c.id.in_(scope["checks"]))
        )
        found |= _owners_of(connection, query, scope["checks"])
    return found


def _owners_of(connection: Connection, query: Select[Any], ids: list[str]) -> set[str | None]:
    rows: dict[str, str] = {row[0]: row[1] for row in connection.execute(query)}
    return {rows.get(item) for item in ids}

"""Overrides in the store: written (a swap's two halves in one transaction), listed, read for the on-call maths,
and removed by compare-and-set, kept as history. Also the catalog's schedules and people as overrides need them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, insert, or_, select, true, update

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import Sort, paged, rows_page

Listing = Literal["current", "all"]
"""current: on now or starting later, not removed; all: every one, newest first."""
Kind = Literal["override", "cover", "swap"]

_o = t.overrides.c


@dataclass(frozen=True)
class NewRow:
    schedule_id: str
    person_id: str
    replaces: str | None
    starts_at: datetime
    ends_at: datetime
    kind: Kind
    author: str
    reason: str
    created_at: datetime


def add(connection: Connection, row: NewRow) -> int:
    values: dict[str, Any] = dict(row.__dict__)
    return int(connection.execute(insert(t.overrides).values(**values).returning(_o.id)).scalar_one())


def pair(connection: Connection, first: int, second: int) -> None:
    """Marks two overrides as the halves of one swap, so that removing either removes both."""
    connection.execute(update(t.overrides).where(_o.id == first).values(swap_with=second))
    connection.execute(update(t.overrides).where(_o.id == second).values(swap_with=first))


def get(connection: Connection, override_id: int) -> RowMapping | None:
    return connection.execute(select(t.overrides).where(_o.id == override_id)).mappings().first()


def _over(now: datetime) -> ColumnElement[bool]:
    return or_(_o.ends_at <= now, and_(_o.removed_at.is_not(None), _o.removed_at <= now))


@dataclass(frozen=True)
class OverrideFilter:
    schedule_id: str | None = None
    person_id: str | None = None
    """Who covers, or whose turns are taken."""
    team_id: str | None = None
    """Of the schedules this team has in the catalog."""


def listed(
    connection: Connection,
    now: datetime,
    which: Listing = "current",
    schedule_id: str | None = None,
    limit: int = 500,
) -> list[RowMapping]:
    """Current ones soonest first; all of them newest first."""
    return page(connection, now, which, OverrideFilter(schedule_id), None, limit).items


def page(
    connection: Connection, now: datetime, which: Listing, given: OverrideFilter, after: Key | None, limit: int
) -> Page[RowMapping]:
    """A page of `listed`, after the key (see `key`) of the last override seen."""
    where, sorts = _order(now, which)
    query = select(t.overrides).where(where)
    if given.schedule_id is not None:
        query = query.where(_o.schedule_id == given.schedule_id)
    if given.person_id is not None:
        query = query.where(or_(_o.person_id == given.person_id, _o.replaces == given.person_id))
    if given.team_id is not None:
        query = query.where(_o.schedule_id.in_(select(t.schedules.c.id).where(t.schedules.c.team_id == given.team_id)))
    found = connection.execute(paged(query, sorts, after, limit)).mappings().all()
    return rows_page(found, limit, lambda row: key(row, which))


def key(row: RowMapping, which: Listing) -> Key:
    return (row["starts_at"], row["id"]) if which == "current" else (row["id"],)


def _order(now: datetime, which: Listing) -> tuple[ColumnElement[bool], list[Sort]]:
    if which == "current":
        return ~_over(now), [(_o.starts_at, False), (_o.id, False)]
    return true(), [(_o.id, True)]


def applying(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> list[RowMapping]:
    """The overrides of a schedule that held at some instant of [start, end), oldest first: those not removed
    before they started, whose covering person is still in the catalog (an override of someone who has left
    pages nobody, so the rota applies instead)."""
    in_catalog = select(t.people.c.id).where(t.people.c.id == _o.person_id).exists()
    query = (
        select(t.overrides)
        .where(
            _o.schedule_id == schedule_id,
            _o.starts_at < end,
            _o.ends_at > start,
            or_(_o.removed_at.is_(None), and_(_o.removed_at > start, _o.removed_at > _o.starts_at)),
            in_catalog,
        )
        .order_by(_o.created_at, _o.id)
    )
    return list(connection.execute(query).mappings())


def covering(connection: Connection, schedule_ids: Iterable[str]) -> set[str]:
    """The people who cover in any override of these schedules, removed ones included (they can still show
    in the past's shifts)."""
    query = select(_o.person_id).where(_o.schedule_id.in_(list(schedule_ids))).distinct()
    return set(connection.execute(query).scalars())


def remove(connection: Connection, override_ids: Iterable[int], at: datetime, by: str) -> int:
    """Ends overrides now (compare-and-set: those not already over); how many it ended."""
    ids = list(override_ids)
    result = connection.execute(
        update(t.overrides).where(_o.id.in_(ids), ~_over(at)).values(removed_at=at, removed_by=by)
    )
    return int(result.rowcount)


def schedule(connection: Connection, schedule_id: str) -> RowMapping | None:
    s = t.schedules.c
    query = select(s.id, s.team_id, s.name, s.timezone, s.spec).where(s.id == schedule_id)
    return connection.execute(query).mappings().first()


def schedules(connection: Connection) -> list[RowMapping]:
    """Every schedule in the catalog, by team then id."""
    s = t.schedules.c
    query = select(s.id, s.team_id, s.name, s.timezone, s.spec).order_by(s.team_id, s.id)
    return list(connection.execute(query).mappings())


def people(connection: Connection) -> dict[str, str]:
    """Every person in the catalog: id to name, by name."""
    p = t.people.c
    return {row.id: row.name for row in connection.execute(select(p.id, p.name).order_by(p.name, p.id))}


def team_of_person(connection: Connection, person_id: str) -> str | None:
    p = t.people.c
    return connection.execute(select(p.team_id).where(p.id == person_id)).scalar_one_or_none()

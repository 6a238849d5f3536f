"""Silences in the store: created, listed, read for the pipeline, and expired early by compare-and-set."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, insert, or_, select, true, update

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import Sort, paged, rows_page

Listing = Literal["current", "expired", "all"]
"""current: active now or starting later; expired: ended, on time or early."""

_s = t.silences.c


def add(
    connection: Connection,
    matchers: Sequence[dict[str, str]],
    starts_at: datetime,
    ends_at: datetime,
    author: str,
    comment: str,
    created_at: datetime,
) -> int:
    values = {
        "matchers": list(matchers),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "author": author,
        "comment": comment,
        "created_at": created_at,
    }
    return int(connection.execute(insert(t.silences).values(**values).returning(_s.id)).scalar_one())


def get(connection: Connection, silence_id: int) -> RowMapping | None:
    return connection.execute(select(t.silences).where(_s.id == silence_id)).mappings().first()


def _ended(now: datetime) -> ColumnElement[bool]:
    return or_(_s.ends_at <= now, and_(_s.expired_at.is_not(None), _s.expired_at <= now))


def listed(connection: Connection, now: datetime, which: Listing = "current", limit: int = 500) -> list[RowMapping]:
    """Newest first for ended ones, soonest to end first for current ones."""
    return page(connection, now, which, None, limit).items


def page(connection: Connection, now: datetime, which: Listing, after: Key | None, limit: int) -> Page[RowMapping]:
    """A page of `listed`, after the key (see `key`) of the last silence seen."""
    where, sorts = _order(now, which)
    query = paged(select(t.silences).where(where), sorts, after, limit)
    return rows_page(connection.execute(query).mappings().all(), limit, lambda row: key(row, which))


def key(row: RowMapping, which: Listing) -> Key:
    return (row["id"],) if which == "all" else (row["ends_at"], row["id"])


def _order(now: datetime, which: Listing) -> tuple[ColumnElement[bool], list[Sort]]:
    if which == "current":
        return ~_ended(now), [(_s.ends_at, False), (_s.id, False)]
    if which == "expired":
        return _ended(now), [(_s.ends_at, True), (_s.id, True)]
    return true(), [(_s.id, True)]


def active(connection: Connection, at: datetime) -> list[RowMapping]:
    """The silences on at `at`, for the pipeline."""
    query = select(t.silences).where(_s.starts_at <= at, ~_ended(at)).order_by(_s.id)
    return list(connection.execute(query).mappings())


def expire(connection: Connection, silence_id: int, at: datetime, by: str) -> bool:
    """Ends a silence now; False when it had already ended (or never existed). Compare-and-set, so two people
    expiring the same silence record one expiry."""
    result = connection.execute(
        update(t.silences).where(_s.id == silence_id, ~_ended(at)).values(expired_at=at, expired_by=by)
    )
    return result.rowcount == 1

"""Silences in the store: created, listed, read for the pipeline, and expired early by compare-and-set."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, Connection, RowMapping, and_, insert, or_, select, update

from watchkeeper.store import tables as t

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
    query = select(t.silences)
    if which == "current":
        query = query.where(~_ended(now)).order_by(_s.ends_at, _s.id)
    elif which == "expired":
        query = query.where(_ended(now)).order_by(_s.ends_at.desc(), _s.id.desc())
    else:
        query = query.order_by(_s.id.desc())
    return list(connection.execute(query.limit(limit)).mappings())


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

"""A check's raw results for the API: newest first, with their timings, within a period."""

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import paged, rows_page

_r = t.check_results.c


def results(
    connection: Connection,
    check_id: str,
    since: datetime | None,
    until: datetime | None,
    ok: bool | None,
    after: Key | None,
    limit: int,
) -> Page[RowMapping]:
    query = select(t.check_results).where(_r.check_id == check_id)
    if since is not None:
        query = query.where(_r.at >= since)
    if until is not None:
        query = query.where(_r.at < until)
    if ok is not None:
        query = query.where(_r.ok == ok)
    found = connection.execute(paged(query, [(_r.at, True), (_r.id, True)], after, limit)).mappings().all()
    return rows_page(found, limit, lambda row: (row["at"], row["id"]))


def check_exists(connection: Connection, check_id: str) -> bool:
    return connection.execute(select(t.checks.c.id).where(t.checks.c.id == check_id)).first() is not None

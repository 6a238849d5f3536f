"""Keyset pages in SQL on both databases: columns in different directions, ties on the first column, and a
key that no row has."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from watchkeeper.store import tables as t
from watchkeeper.store.keyset import paged, rows_page

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _walk(db, sorts, limit):
    seen, after = [], None
    while True:
        with db.reading() as connection:
            rows = connection.execute(paged(select(t.check_results), sorts, after, limit)).mappings().all()
        page = rows_page(rows, limit, lambda row: (row["at"], row["id"]))
        seen.extend((row["at"], row["id"]) for row in page.items)
        if page.next is None:
            return seen
        after = page.next


def _rows(db):
    # Three results share each instant, so the id decides among them.
    rows = [{"check_id": "c", "at": T0 + timedelta(minutes=i // 3), "ok": True, "reason": str(i)} for i in range(10)]
    with db.transaction() as connection:
        connection.execute(insert(t.check_results), rows)
    with db.reading() as connection:
        return [(row.at, row.id) for row in connection.execute(select(t.check_results.c.at, t.check_results.c.id))]


def test_newest_first_pages_see_each_row_once_despite_ties(db):
    stored = _rows(db)
    r = t.check_results.c

    walked = _walk(db, [(r.at, True), (r.id, True)], 4)

    assert walked == sorted(stored, reverse=True)


def test_mixed_directions_page_as_the_order_says(db):
    stored = _rows(db)
    r = t.check_results.c

    walked = _walk(db, [(r.at, False), (r.id, True)], 3)

    assert walked == sorted(stored, key=lambda pair: (pair[0], -pair[1]))

"""Keyset pagination in SQL: a query ordered by a key that ends in something unique, taken after the last key a
client saw (ADR 0040). Stable under inserts, and as quick for the thousandth page as for the first, unlike an
offset."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_

from watchkeeper.domain.keyset import Key, Page, page_from

R = TypeVar("R")
Sort = tuple[ColumnElement[Any], bool]
"""A column of the key, and whether the list runs down it (newest first) rather than up."""


def paged(query: Select[Any], sorts: Sequence[Sort], after: Key | None, limit: int) -> Select[Any]:
    """`query` in the key's order, after `after`, one row more than `limit` (which says whether more follow)."""
    if after is not None:
        query = query.where(after_key(sorts, after))
    ordering = [column.desc() if descending else column.asc() for column, descending in sorts]
    return query.order_by(*ordering).limit(limit + 1)


def after_key(sorts: Sequence[Sort], key: Key) -> ColumnElement[bool]:
    """Rows that come after `key`: equal on the first columns and past it on the next, for some column. Written
    out rather than as a row comparison, because the columns may run in different directions."""
    if len(key) != len(sorts):
        raise ValueError(f"a key of {len(sorts)} values was expected, not {len(key)}")
    alternatives: list[ColumnElement[bool]] = []
    for position, (column, descending) in enumerate(sorts):
        equal = [sorts[i][0] == key[i] for i in range(position)]
        past = column < key[position] if descending else column > key[position]
        alternatives.append(and_(*equal, past))
    return or_(false(), *alternatives)


def rows_page(rows: Sequence[R], limit: int, key: Callable[[R], Key]) -> Page[R]:
    return page_from(list(rows), limit, key)

"""Pages of a list in a fixed order, each after the key of the last item seen (keyset pagination, ADR 0040).

A key is the tuple of the values a list is ordered by, ending in something unique, so every item has exactly one
place: a page asked for after a key holds the items that follow it, however many were added before it since."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: Key | None = None
    """The key of the last item, when more items follow it; None on the last page."""


def page_of(items: Iterable[T], key: Callable[[T], Key], after: Key | None, limit: int) -> Page[T]:
    """The page of `items` (in any order) that follows `after` in ascending order of `key`. For lists that are
    worked out whole in memory; the store pages its tables in SQL the same way."""
    ordered = sorted((item for item in items if after is None or key(item) > after), key=key)
    return page_from(ordered, limit, key)


def page_from(ordered: list[T], limit: int, key: Callable[[T], Key]) -> Page[T]:
    """A page from up to `limit + 1` ordered items: the one past the limit only says that more follow."""
    if len(ordered) <= limit:
        return Page(ordered)
    shown = ordered[:limit]
    return Page(shown, key(shown[-1]))

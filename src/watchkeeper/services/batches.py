"""Work on many items in few transactions, without one bad item holding back the rest."""

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Connection

from watchkeeper.logs import get_logger
from watchkeeper.store import Database

log = get_logger("watchkeeper.batches")
T = TypeVar("T")


def in_batches(
    db: Database,
    items: Sequence[T],
    size: int,
    work: Callable[[Connection, T], int],
    failed: Callable[[Connection, T], None],
    what: str,
) -> int:
    """`work` on each item, `size` items a transaction; when a transaction fails, its items again one a
    transaction, and an item that still fails is logged and handed to `failed` (in a transaction of its own) to
    be put aside or tried later. Returns the sum of what `work` returned."""
    done = 0
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        try:
            with db.transaction() as connection:
                done += sum(work(connection, item) for item in batch)
        except Exception:  # which item it was is found by doing each alone
            done += sum(_alone(db, item, work, failed, what) for item in batch)
    return done


def _alone(
    db: Database, item: T, work: Callable[[Connection, T], int], failed: Callable[[Connection, T], None], what: str
) -> int:
    try:
        with db.transaction() as connection:
            return work(connection, item)
    except Exception as error:
        log.error(f"{what} failed", item=str(item), error=str(error), error_type=type(error).__name__)
        with db.transaction() as connection:
            failed(connection, item)
        return 0

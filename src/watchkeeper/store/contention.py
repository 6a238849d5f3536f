"""Transactions that lose a race to other writers, run again a few times before the caller is told to retry.

On PostgreSQL, writers of one alert can meet in three ways that say nothing about the work itself: two first
triggers of one key both insert and one meets the unique index of open alerts; two transactions wait on each
other's row locks and one is chosen as the deadlock victim; a serializable read sees a concurrent change. Each
is settled by running the whole transaction again, when it finds what the winner stored. SQLite runs one writer
at a time (each takes the write lock when it starts) and meets none of them.
"""

import hashlib
import random
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from watchkeeper.store.database import Database

T = TypeVar("T")
ATTEMPTS = 5
PAUSE_SECONDS = 0.02
"""The first pause's longest; each later one may be as long again. Random, so that the losers spread out."""
RACES = {
    "23505": "unique violation",
    "40001": "serialization failure",
    "40P01": "deadlock detected",
}
"""The SQLSTATEs of a lost race (psycopg's UniqueViolation, SerializationFailure, DeadlockDetected)."""


class Contended(Exception):
    """The transaction lost a race on every attempt: the database is too busy with this now; retry later."""


def lost_a_race(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RACES


def in_transaction(db: Database, work: Callable[[Connection], T], attempts: int = ATTEMPTS) -> T:
    """`work` in one transaction, run again (after a short random pause) when it loses a race; Contended when
    it has lost every attempt. Any other error is raised at once."""
    for attempt in range(1, attempts + 1):
        try:
            with db.transaction() as connection:
                return work(connection)
        except DBAPIError as error:
            if not lost_a_race(error):
                raise
            if attempt == attempts:
                race = RACES[getattr(error.orig, "sqlstate", "")]
                raise Contended(
                    f"others changed the same rows at the same moment {attempts} times ({race}); try again"
                ) from error
        time.sleep(random.uniform(0, PAUSE_SECONDS * attempt))  # noqa: S311 (spreading retries, not a secret)
    raise AssertionError("unreachable")


def lock_keys(connection: Connection, keys: Iterable[str]) -> None:
    """On PostgreSQL, waits until no other transaction is writing with one of `keys` (an alert's, or a sign-in's
    email or address) and holds them to the end of this one, so that writers of one key go one after another and
    none loses a race: row locks alone cannot serialise a trigger that finds no open alert with one that is
    inserting it, nor two sign-ins that count the failures before either has added one. Locks are taken in one
    order (by number) so that batches of several keys do not deadlock. SQLite needs none: one writer at a time."""
    if connection.dialect.name != "postgresql":
        return
    numbers = sorted({_lock_number(key) for key in keys})
    if numbers:
        # unnest() yields the array in its order, so the locks are taken in ascending order.
        locking = text("SELECT pg_advisory_xact_lock(n) FROM unnest(CAST(:numbers AS bigint[])) AS n")
        connection.execute(locking, {"numbers": numbers})


def _lock_number(key: str) -> int:
    """A signed 64-bit number for an advisory lock, the same in every process (Python's hash() is not)."""
    return int.from_bytes(hashlib.blake2b(f"alert:{key}".encode(), digest_size=8).digest(), "big", signed=True)

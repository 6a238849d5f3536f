"""Deleting what is older than it is kept for, a bounded chunk per transaction.

SQLite has one writer at a time, so one long delete would hold the engine's result writer back for as long as it
took. Each chunk is its own short transaction, and on SQLite a pause between chunks lets a writer that is waiting
on the busy timeout in before the next one starts. (On PostgreSQL raw results are dropped a day at a time, see
store.partitions; what is deleted row by row there is rollups and strays in the default partition.)
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, Delete, MetaData, Table, delete, func, select, tuple_

from watchkeeper.domain.rollups import Resolution
from watchkeeper.store import tables as t
from watchkeeper.store.database import Database
from watchkeeper.store.partitions import DEFAULT_PARTITION

CHUNK = 5_000
"""Rows per delete transaction: a few tens of milliseconds of SQLite's write lock."""
SQLITE_PAUSE = 0.1
"""Seconds between chunks on SQLite: longer than the longest sleep of a writer waiting on the busy timeout."""

_default_partition = Table(
    DEFAULT_PARTITION,
    MetaData(),
    Column("id", BigInteger, primary_key=True),
    Column("at", t.UTCDateTime, primary_key=True),
)


@dataclass(frozen=True)
class Deleted:
    rows: int
    chunks: int
    finished: bool
    """False when the time budget ran out first; the next pass goes on."""


def delete_results_before(db: Database, cutoff: datetime, chunk: int = CHUNK, budget: float | None = None) -> Deleted:
    """Raw results stamped before `cutoff`. On PostgreSQL only the default partition is deleted from row by row;
    the day partitions are dropped whole (store.partitions)."""
    results = t.check_results if db.is_sqlite else _default_partition
    oldest = select(results.c.id).where(results.c.at < cutoff).limit(chunk)
    return _in_chunks(db, delete(results).where(results.c.id.in_(oldest)), chunk, budget)


def delete_rollups_before(
    db: Database, resolutions: Sequence[Resolution], cutoff: datetime, chunk: int = CHUNK, budget: float | None = None
) -> Deleted:
    """Rollups of these resolutions whose period starts before `cutoff`."""
    rollups = t.check_rollups
    key = tuple_(rollups.c.check_id, rollups.c.resolution, rollups.c.start)
    oldest = (
        select(rollups.c.check_id, rollups.c.resolution, rollups.c.start)
        .where(rollups.c.resolution.in_(resolutions), rollups.c.start < cutoff)
        .limit(chunk)
    )
    return _in_chunks(db, delete(rollups).where(key.in_(oldest)), chunk, budget)


def delete_pings_before(db: Database, cutoff: datetime, chunk: int = CHUNK, budget: float | None = None) -> Deleted:
    """Heartbeat pings (each with up to 10 KB of body) received before `cutoff`, but never a check's latest
    successful ping nor its latest run's end (success or failure): the heartbeat watch times the next run and
    says "no ping since ..." from it, however old it is."""
    pings = t.heartbeat_pings
    by_check = pings.c.check_id
    success = select(func.max(pings.c.id)).where(pings.c.kind == "success").group_by(by_check)
    run_end = select(func.max(pings.c.id)).where(pings.c.kind.in_(("success", "fail"))).group_by(by_check)
    kept = pings.c.id.not_in(success) & pings.c.id.not_in(run_end)
    oldest = select(pings.c.id).where(pings.c.at < cutoff, kept).limit(chunk)
    return _in_chunks(db, delete(pings).where(pings.c.id.in_(oldest)), chunk, budget)


def _in_chunks(db: Database, statement: Delete, chunk: int, budget: float | None) -> Deleted:
    if chunk < 1:
        raise ValueError(f"a delete chunk is at least one row, not {chunk}")
    deadline = None if budget is None else time.monotonic() + budget
    rows = chunks = 0
    while True:
        with db.transaction() as connection:
            deleted = connection.execute(statement).rowcount
        rows, chunks = rows + deleted, chunks + 1
        if deleted < chunk:
            return Deleted(rows, chunks, finished=True)
        if deadline is not None and time.monotonic() > deadline:
            return Deleted(rows, chunks, finished=False)
        if db.is_sqlite:
            time.sleep(SQLITE_PAUSE)

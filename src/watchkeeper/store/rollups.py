"""Rolling raw results up into minutes, minutes into hours and hours into days (UTC), as repeatable passes.

Each resolution has a mark in `rollup_progress`: every period that starts before it has been rolled up. A pass
1. rolls up the periods that have ended since the mark, a slice at a time, and moves the mark in the same
   transaction as the rows it wrote;
2. looks back over the settle window for results that arrived after their minute was rolled up (a run is stamped
   when it starts and written when it ends): it compares, per check, how many results the source holds with how
   many the rollups count, and rolls up again the periods of the checks that differ.
Rows are upserted with values computed from their source, never added to, so a pass run twice, or by two engines
at once, never counts a result twice. A minute is rolled up once it has ended (and a grace has passed); an hour
once its last minute has been; a day once its last hour has been.
"""

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.domain.rollups import RESOLUTIONS, Resolution, Rollup, Tally, period_start
from watchkeeper.store import tables as t
from watchkeeper.store.database import Database

GRACE = timedelta(seconds=15)
"""A minute is rolled up this long after it ends: by then most runs that started in it have been written (the
default timeout is 10 s), so few minutes need a second look."""
SETTLE = timedelta(minutes=17)
"""How far back each pass looks for results that arrived after their minute was rolled up. With a pass a minute
and the grace above, a result written up to 15 minutes after its run started is always counted."""
SLICE: dict[Resolution, timedelta] = {
    "minute": timedelta(minutes=10),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}
"""How much time one transaction rolls up while catching up: a day of hours is one check's 24 rows."""
SOURCE: dict[Resolution, Resolution | None] = {"minute": None, "hour": "minute", "day": "hour"}
"""What each resolution is made from: minutes from raw results (None), hours from minutes, days from hours."""
CHECKS_AT_ONCE = 500
"""How many checks one look-back query names, to keep its IN list short."""
_ROWS_AT_ONCE = 5_000

Key = tuple[str, datetime]
"""A rollup's check id and period start."""

_r = t.check_results
_c = t.check_rollups


@dataclass
class RollupReport:
    written: dict[Resolution, int] = field(default_factory=lambda: dict.fromkeys(RESOLUTIONS, 0))
    """Rows written per resolution, new periods and periods rolled up again alike."""
    late: dict[Resolution, int] = field(default_factory=lambda: dict.fromkeys(RESOLUTIONS, 0))
    """Checks whose already rolled-up periods were rolled up again, because results arrived late."""
    done_until: dict[Resolution, datetime] = field(default_factory=dict)
    behind: bool = False
    """The pass stopped at its time budget before catching up; the next pass goes on from there."""


def roll_up(db: Database, now: datetime, settle: timedelta = SETTLE, budget: float | None = 10.0) -> RollupReport:
    """One pass over every resolution. `budget` (seconds) bounds the catching up, so that a pass after a long
    outage or over years of history ends in good time and the next one goes on; None catches up fully."""
    deadline = None if budget is None else time.monotonic() + budget
    report = RollupReport()
    for resolution in RESOLUTIONS:
        source = SOURCE[resolution]
        source_end = ended(now) if source is None else report.done_until[source]
        until = period_start(source_end, resolution)
        mark = _roll_new(db, resolution, until, deadline, report)
        report.done_until[resolution] = mark
        _roll_late(db, resolution, period_start(still_open(now, settle), resolution), mark, report)
    return report


def ended(now: datetime) -> datetime:
    """The minutes before this one are rolled up: they have ended, and their grace has passed."""
    return period_start(now - GRACE, "minute")


def still_open(now: datetime, settle: timedelta = SETTLE) -> datetime:
    """Rollups from this minute on are checked again for late results, so their source must be kept."""
    return ended(now) - settle


def marks(db: Database) -> dict[Resolution, datetime]:
    """Where each resolution has been rolled up to."""
    with db.reading() as connection:
        rows = connection.execute(select(t.rollup_progress.c.resolution, t.rollup_progress.c.done_until)).all()
    return {row[0]: row[1] for row in rows if row[0] in RESOLUTIONS}


def _roll_new(
    db: Database, resolution: Resolution, until: datetime, deadline: float | None, report: RollupReport
) -> datetime:
    """Roll up the periods from the mark to `until`, skipping stretches without results; returns the new mark."""
    mark = marks(db).get(resolution)
    while mark is None or mark < until:
        with db.reading() as connection:
            first = _earliest_source(connection, resolution, mark, until)
            if first is None:
                start, end, rollups = until, until, {}
            else:
                start = period_start(first, resolution) if mark is None else max(mark, period_start(first, resolution))
                end = min(until, start + SLICE[resolution])
                rollups = _compute(connection, resolution, start, end)
        with db.transaction() as connection:
            save_rollups(connection, resolution, rollups)
            _advance(connection, resolution, end)
        report.written[resolution] += len(rollups)
        mark = end
        if mark < until and deadline is not None and time.monotonic() > deadline:
            report.behind = True  # at least one slice a pass, so that every resolution moves on
            break
    return mark


def _roll_late(db: Database, resolution: Resolution, start: datetime, mark: datetime, report: RollupReport) -> None:
    """Roll up again, for the checks whose source changed, the periods in [start, mark) already rolled up."""
    if start >= mark:
        return
    with db.reading() as connection:
        source = _source_counts(connection, resolution, start, mark)
        rolled = _rollup_counts(connection, resolution, start, mark)
    changed = sorted(check for check in source.keys() | rolled.keys() if source.get(check) != rolled.get(check))
    report.late[resolution] += len(changed)
    for at_once in _chunks(changed, CHECKS_AT_ONCE):
        with db.reading() as connection:
            rollups = _compute(connection, resolution, start, mark, at_once)
        with db.transaction() as connection:
            save_rollups(connection, resolution, rollups)
            _delete_missing(connection, resolution, start, mark, at_once, rollups)
        report.written[resolution] += len(rollups)


def _earliest_source(
    connection: Connection, resolution: Resolution, after: datetime | None, before: datetime
) -> datetime | None:
    source = SOURCE[resolution]
    column = _r.c.at if source is None else _c.c.start
    query = select(func.min(column)).where(column < before)
    if after is not None:
        query = query.where(column >= after)
    if source is not None:
        query = query.where(_c.c.resolution == source)
    earliest: datetime | None = connection.execute(query).scalar()
    return earliest


def _compute(
    connection: Connection, resolution: Resolution, start: datetime, end: datetime, checks: Sequence[str] = ()
) -> dict[Key, Rollup]:
    """The rollups of [start, end) from their source, streamed so that a slice is never held whole."""
    tallies: dict[Key, Tally] = defaultdict(Tally)
    if SOURCE[resolution] is None:
        for check_id, at, ok, total_ms in connection.execute(_raw_rows(start, end, checks)):
            tallies[(check_id, period_start(at, "minute"))].add_result(ok, total_ms)
    else:
        for row in connection.execute(_finer_rows(resolution, start, end, checks)).mappings():
            try:
                tallies[(row["check_id"], period_start(row["start"], resolution))].add_stored(
                    row["count"], row["failures"], row["latency_buckets"], row["latency_max_ms"]
                )
            except ValueError as error:
                where = f"{row['check_id']} {row['resolution']} {row['start']:%Y-%m-%d %H:%M}"
                raise ValueError(f"stored rollup {where}: {error}") from None
    return {key: tally.rollup() for key, tally in tallies.items()}


def _raw_rows(start: datetime, end: datetime, checks: Sequence[str]) -> Select[Any]:
    query = select(_r.c.check_id, _r.c.at, _r.c.ok, _r.c.total_ms).where(_r.c.at >= start, _r.c.at < end)
    if checks:
        query = query.where(_r.c.check_id.in_(checks))
    return query.execution_options(yield_per=_ROWS_AT_ONCE)


def _finer_rows(resolution: Resolution, start: datetime, end: datetime, checks: Sequence[str]) -> Select[Any]:
    query = select(_c).where(_c.c.resolution == SOURCE[resolution], _c.c.start >= start, _c.c.start < end)
    if checks:
        query = query.where(_c.c.check_id.in_(checks))
    return query.execution_options(yield_per=_ROWS_AT_ONCE)


def _source_counts(connection: Connection, resolution: Resolution, start: datetime, end: datetime) -> dict[str, int]:
    source = SOURCE[resolution]
    if source is None:
        query = select(_r.c.check_id, func.count()).where(_r.c.at >= start, _r.c.at < end).group_by(_r.c.check_id)
        return {row[0]: int(row[1]) for row in connection.execute(query)}
    return _rollup_counts(connection, source, start, end)


def _rollup_counts(connection: Connection, resolution: Resolution, start: datetime, end: datetime) -> dict[str, int]:
    query = (
        select(_c.c.check_id, func.sum(_c.c.count))
        .where(_c.c.resolution == resolution, _c.c.start >= start, _c.c.start < end)
        .group_by(_c.c.check_id)
    )
    return {row[0]: int(row[1]) for row in connection.execute(query)}


def save_rollups(connection: Connection, resolution: Resolution, rollups: dict[Key, Rollup]) -> None:
    """Insert or replace these rollups. Rows go in key order, so that two engines writing the same rows at
    once on PostgreSQL wait for each other instead of deadlocking."""
    if not rollups:
        return
    rows = [_row(resolution, key, rollups[key]) for key in sorted(rollups)]
    statement = _insert(connection, t.check_rollups)
    statement = statement.on_conflict_do_update(
        index_elements=[_c.c.check_id, _c.c.resolution, _c.c.start],
        set_={name: statement.excluded[name] for name in _VALUE_COLUMNS},
    )
    for at_once in _chunks(rows, _ROWS_AT_ONCE):
        connection.execute(statement, at_once)


_VALUE_COLUMNS = (
    "count",
    "failures",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "latency_buckets",
)


def _row(resolution: Resolution, key: Key, rollup: Rollup) -> dict[str, Any]:
    percentiles = rollup.percentiles()
    return {
        "check_id": key[0],
        "resolution": resolution,
        "start": key[1],
        "count": rollup.count,
        "failures": rollup.failures,
        "latency_p50_ms": percentiles.p50,
        "latency_p95_ms": percentiles.p95,
        "latency_p99_ms": percentiles.p99,
        "latency_max_ms": rollup.max_ms,
        "latency_buckets": rollup.latency.to_json(),
    }


def _delete_missing(
    connection: Connection,
    resolution: Resolution,
    start: datetime,
    end: datetime,
    checks: Sequence[str],
    kept: dict[Key, Rollup],
) -> None:
    """Remove rollups in [start, end) of these checks whose source no longer holds anything."""
    starts: dict[str, list[datetime]] = defaultdict(list)
    for check_id, period in kept:
        starts[check_id].append(period)
    for check_id in checks:
        connection.execute(
            delete(_c).where(
                _c.c.check_id == check_id,
                _c.c.resolution == resolution,
                _c.c.start >= start,
                _c.c.start < end,
                _c.c.start.not_in(starts[check_id]),
            )
        )


def _advance(connection: Connection, resolution: Resolution, until: datetime) -> None:
    """Move the mark forward, never back, so that a slower engine cannot undo a faster one's progress."""
    progress = t.rollup_progress
    statement = _insert(connection, progress).values(resolution=resolution, done_until=until)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[progress.c.resolution],
            set_={"done_until": statement.excluded.done_until},
            where=progress.c.done_until < statement.excluded.done_until,
        )
    )


def _insert(connection: Connection, table: Table) -> Any:
    """INSERT with ON CONFLICT, in the dialect at hand (both have it; SQLAlchemy spells it per dialect)."""
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]

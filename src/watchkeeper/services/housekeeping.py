"""Housekeeping of check results: one repeatable pass that makes the day partitions ahead (PostgreSQL), rolls
results up into minutes, hours and days, and deletes what is older than it is kept for.

Every step is safe to repeat and to run in two engines at once: rollups are recomputed and upserted, marks only
move forward, partitions are made and dropped under an advisory lock, and deleting a row twice deletes nothing.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from watchkeeper.domain.rollups import Resolution, period_start
from watchkeeper.store import Database, partitions
from watchkeeper.store.retention import CHUNK, delete_pings_before, delete_results_before, delete_rollups_before
from watchkeeper.store.rollups import SETTLE, RollupReport, roll_up, still_open

DEFAULT_RESULT_RETENTION = timedelta(days=7)
DEFAULT_ROLLUP_RETENTION = timedelta(days=400)


@dataclass(frozen=True)
class RetentionPolicy:
    results: timedelta = DEFAULT_RESULT_RETENTION
    """Raw results, and minute rollups: at one run a minute a minute rollup is no smaller than its result."""
    rollups: timedelta = DEFAULT_ROLLUP_RETENTION
    """Hour and day rollups, which uptime history, service levels and reviews read."""


@dataclass
class HousekeepingReport:
    rollups: RollupReport
    results_deleted: int = 0
    rollups_deleted: int = 0
    pings_deleted: int = 0
    partitions_made: list[date] = field(default_factory=list)
    moved_from_default: int = 0
    partitions_dropped: list[date] = field(default_factory=list)
    put_off: str | None = None
    """Why dropping old partitions was left for the next pass, if it was."""
    finished: bool = True
    """False when a step stopped at its time budget; the next pass goes on from there."""


def housekeep(
    db: Database,
    now: datetime,
    policy: RetentionPolicy,
    budget: float | None = 10.0,
    chunk: int = CHUNK,
    settle: timedelta = SETTLE,
) -> HousekeepingReport:
    """One pass. `budget` bounds the whole pass's catching up, in seconds (None: catch up fully); each step
    still does at least one slice or chunk, so every step moves on. `chunk` is the rows deleted per transaction."""
    deadline = None if budget is None else time.monotonic() + budget

    def left() -> float | None:
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    made = _make_partitions(db, now)
    report = HousekeepingReport(roll_up(db, now, settle=settle, budget=left()))
    report.partitions_made, report.moved_from_default = made.days, made.moved
    report.finished = not report.rollups.behind
    cutoffs = retention_cutoffs(now, policy, report.rollups.done_until, settle)
    if not db.is_sqlite:
        dropped = partitions.drop_day_partitions_before(db, cutoffs["raw"].astimezone(UTC).date())
        report.partitions_dropped, report.put_off = dropped.days, dropped.put_off
    results = delete_results_before(db, cutoffs["raw"], chunk, left())
    report.results_deleted = results.rows
    report.finished &= results.finished
    for resolution in ("minute", "hour", "day"):
        deleted = delete_rollups_before(db, [resolution], cutoffs[resolution], chunk, left())
        report.rollups_deleted += deleted.rows
        report.finished &= deleted.finished
    pings = delete_pings_before(db, now - policy.results, chunk, left())
    report.pings_deleted = pings.rows
    report.finished &= pings.finished
    return report


def retention_cutoffs(
    now: datetime, policy: RetentionPolicy, done_until: dict[Resolution, datetime], settle: timedelta = SETTLE
) -> dict[str, datetime]:
    """Before when raw results ("raw") and each resolution's rollups may go. Besides the policy, nothing goes that
    the next coarser resolution still needs: periods not rolled up yet, or still open to late results."""
    open_from = still_open(now, settle)
    keep = {"raw": policy.results, "minute": policy.results, "hour": policy.rollups, "day": policy.rollups}
    made_into: dict[str, Resolution | None] = {"raw": "minute", "minute": "hour", "hour": "day", "day": None}
    cutoffs = {}
    for source, keep_for in keep.items():
        cutoff = now - keep_for
        coarser = made_into[source]
        if coarser is not None:
            cutoff = min(cutoff, done_until[coarser], period_start(open_from, coarser))
        cutoffs[source] = cutoff
    return cutoffs


def _make_partitions(db: Database, now: datetime) -> partitions.Made:
    if db.is_sqlite:
        return partitions.Made()
    with db.transaction() as connection:
        return partitions.create_day_partitions(connection, partitions.days_to_have(now.astimezone(UTC).date()))

"""Reads of checks' history: rollups by day, hour and minute, the raw results that no minute rollup covers yet,
and state changes. Each function is one query, whatever the number of checks it is given."""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from watchkeeper.domain.response_times import MinuteFigures, RawResult
from watchkeeper.domain.uptime import Tally
from watchkeeper.store import tables as t

_rollups = t.check_rollups


@dataclass(frozen=True)
class StateChangeRow:
    check_id: str
    at: datetime
    before: str
    after: str
    reason: str
    kind: str = "status"
    """status (UP/DOWN confirmed), flapping (began to flap) or steady (stopped flapping)."""


def _rollup_rows(
    connection: Connection, resolution: str, check_ids: Collection[str], since: datetime, until: datetime
) -> list[tuple[Any, ...]]:
    """Rollups of one size that start in [since, until): the index on (check_id, resolution, start) serves it."""
    if not check_ids:
        return []
    query = (
        select(
            _rollups.c.check_id,
            _rollups.c.start,
            _rollups.c.count,
            _rollups.c.failures,
            _rollups.c.latency_p50_ms,
            _rollups.c.latency_p95_ms,
        )
        .where(
            _rollups.c.check_id.in_(list(check_ids)),
            _rollups.c.resolution == resolution,
            _rollups.c.start >= since,
            _rollups.c.start < until,
        )
        .order_by(_rollups.c.check_id, _rollups.c.start)
    )
    return [tuple(row) for row in connection.execute(query)]


def day_tallies(
    connection: Connection, check_ids: Collection[str], since: datetime, until: datetime
) -> dict[str, dict[date, Tally]]:
    found: dict[str, dict[date, Tally]] = defaultdict(dict)
    for check_id, start, count, failures, _p50, _p95 in _rollup_rows(connection, "day", check_ids, since, until):
        found[check_id][start.date()] = Tally(count, failures)
    return found


def hour_tallies(
    connection: Connection, check_ids: Collection[str], since: datetime, until: datetime
) -> dict[str, dict[datetime, Tally]]:
    found: dict[str, dict[datetime, Tally]] = defaultdict(dict)
    for check_id, start, count, failures, _p50, _p95 in _rollup_rows(connection, "hour", check_ids, since, until):
        found[check_id][start] = Tally(count, failures)
    return found


def minute_figures(
    connection: Connection, check_ids: Collection[str], since: datetime, until: datetime
) -> dict[str, list[MinuteFigures]]:
    found: dict[str, list[MinuteFigures]] = defaultdict(list)
    for check_id, start, count, failures, p50, p95 in _rollup_rows(connection, "minute", check_ids, since, until):
        found[check_id].append(MinuteFigures(start, count, failures, p50, p95))
    return found


def results_since(connection: Connection, since: Mapping[str, datetime]) -> dict[str, list[RawResult]]:
    """Raw results of each check from its own starting point on, oldest first. Each check's range is a range
    scan of the (check_id, at) index, so a check whose minutes are rolled up costs only its latest minutes."""
    found: dict[str, list[RawResult]] = defaultdict(list)
    if not since:
        return found
    results = t.check_results
    ranges = [and_(results.c.check_id == check_id, results.c.at >= start) for check_id, start in since.items()]
    query = (
        select(results.c.check_id, results.c.at, results.c.ok, results.c.total_ms)
        .where(or_(*ranges))
        .order_by(results.c.check_id, results.c.at)
    )
    for check_id, at, ok, total_ms in connection.execute(query):
        found[check_id].append(RawResult(at, ok, total_ms))
    return found


def state_changes(connection: Connection, check_ids: Collection[str], limit: int) -> list[StateChangeRow]:
    """The latest state changes of these checks, newest first."""
    if not check_ids:
        return []
    changes = t.check_state_changes
    query = (
        select(changes.c.check_id, changes.c.at, changes.c.before, changes.c.after, changes.c.reason, changes.c.kind)
        .where(changes.c.check_id.in_(list(check_ids)))
        .order_by(changes.c.at.desc(), changes.c.id.desc())
        .limit(limit)
    )
    return [StateChangeRow(*row) for row in connection.execute(query)]

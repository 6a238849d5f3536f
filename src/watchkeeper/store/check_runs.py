"""Check state, results and state changes: what the engine's result writer reads once and writes in batches."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.domain.state import CheckState, StateChange
from watchkeeper.store import tables as t
from watchkeeper.store.heartbeats import mark_seen


@dataclass(frozen=True)
class RunRecord:
    """One result, with the state it left its check in and the change it caused, if any."""

    check_id: str
    at: datetime
    ok: bool
    reason: str
    timings: dict[str, float]
    state: CheckState
    changes: tuple[StateChange, ...]
    """UP/DOWN confirmed, and flapping begun or ended, that this result caused."""
    warning: bool = False
    ping_id: int | None = None
    """The heartbeat ping the result came from, if it did: marked seen with the result, so it is read once."""


READ_CHUNK = 500
"""Ids per query, below every backend's limit on bound parameters."""


def load_states(
    connection: Connection,
    owns: Callable[[str], bool] = lambda _check_id: True,
    check_types: Collection[str] | None = None,
) -> dict[str, CheckState]:
    """The stored state of each active check (in the catalog and not paused) that `owns` accepts, of the
    given types if any are given: a probe process holds only its own share, and the engine beside its probes
    only the heartbeat checks. A removed or paused check keeps its row, so its state is there if it returns."""
    query = select(t.check_states).where(t.check_states.c.check_id.in_(_active(check_types)))
    return {row["check_id"]: _state(row) for row in connection.execute(query).mappings() if owns(row["check_id"])}


def states_of(connection: Connection, check_ids: Collection[str]) -> dict[str, CheckState]:
    """The stored state of each of these checks that has one, whether active or not."""
    ids = list(check_ids)
    states = {}
    for start in range(0, len(ids), READ_CHUNK):
        query = select(t.check_states).where(t.check_states.c.check_id.in_(ids[start : start + READ_CHUNK]))
        for row in connection.execute(query).mappings():
            states[row["check_id"]] = _state(row)
    return states


def active_check_ids(
    connection: Connection,
    owns: Callable[[str], bool] = lambda _check_id: True,
    check_types: Collection[str] | None = None,
) -> set[str]:
    """The ids of the checks in the catalog, not paused, that `owns` accepts, of the given types if any."""
    return {check_id for check_id in connection.execute(_active(check_types)).scalars() if owns(check_id)}


def checks_marker(connection: Connection) -> tuple[Any, ...]:
    """Changes whenever a check is added, removed, edited, paused or resumed: every such edit stamps
    `updated_at` or changes the count, so one small query tells whether the checks need reading again."""
    return tuple(connection.execute(select(func.count(), func.max(t.checks.c.updated_at))).one())


def _active(check_types: Collection[str] | None) -> Select[Any]:
    query = select(t.checks.c.id).where(t.checks.c.paused.is_(False))
    if check_types is not None:
        query = query.where(t.checks.c.type.in_(list(check_types)))
    return query


def _state(row: RowMapping) -> CheckState:
    return CheckState(
        status=row["status"],
        since=row["since"],
        failures=row["failures"],
        successes=row["successes"],
        recent=tuple(flag == "1" for flag in row["recent"]),
    )


def save_runs(connection: Connection, runs: Sequence[RunRecord]) -> None:
    """Results appended, the latest state of each check replaced, state changes appended: one transaction."""
    if not runs:
        return
    connection.execute(
        insert(t.check_results),
        [
            {
                "check_id": r.check_id,
                "at": r.at,
                "ok": r.ok,
                "reason": r.reason,
                "total_ms": r.timings.get("total"),
                "timings": r.timings,
            }
            for r in runs
        ],
    )
    latest: dict[str, RunRecord] = {}
    for run in runs:
        latest[run.check_id] = run
    connection.execute(_upsert_state(connection), [_state_row(run) for run in latest.values()])
    changes = [_change_row(run.check_id, change) for run in runs for change in run.changes]
    if changes:
        connection.execute(insert(t.check_state_changes), changes)
    mark_seen(connection, (run.ping_id for run in runs if run.ping_id is not None))


def _upsert_state(connection: Connection) -> Any:
    """Each check's state row replaced in place: one statement, and on PostgreSQL an update that leaves no
    deleted row behind for every result."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(t.check_states)
    columns = {name: statement.excluded[name] for name in STATE_COLUMNS}
    return statement.on_conflict_do_update(index_elements=[t.check_states.c.check_id], set_=columns)


STATE_COLUMNS = (
    "status",
    "since",
    "failures",
    "successes",
    "recent",
    "last_at",
    "last_ok",
    "last_reason",
    "last_timings",
    "last_warning",
)


def _state_row(run: RunRecord) -> dict[str, Any]:
    state = run.state
    return {
        "check_id": run.check_id,
        "status": state.status,
        "since": state.since,
        "failures": state.failures,
        "successes": state.successes,
        "recent": "".join("1" if ok else "0" for ok in state.recent),
        "last_at": run.at,
        "last_ok": run.ok,
        "last_reason": run.reason,
        "last_timings": run.timings,
        "last_warning": run.warning,
    }


def _change_row(check_id: str, change: StateChange) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "at": change.at,
        "before": change.before,
        "after": change.after,
        "reason": change.reason,
        "kind": change.kind,
    }

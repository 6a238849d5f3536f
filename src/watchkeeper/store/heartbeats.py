"""What the heartbeat watch reads and keeps: pings not yet seen, each check's latest run, its latest result, and
when watching it began. All of it is in the database, so an engine that starts, restarts or takes over from
another picks up exactly where the last one left off."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.store import tables as t

_pings = t.heartbeat_pings
_watches = t.heartbeat_watches
RUN_ENDS = ("success", "fail")
"""The kinds of ping that say a run is over; `start` only says one began."""
_IN_CHUNK = 1_000
"""Ids per `IN (...)` list, well inside every backend's limit on bound parameters."""


@dataclass(frozen=True)
class Ping:
    id: int
    check_id: str
    at: datetime
    kind: str
    exit_code: int | None


def unseen_pings(connection: Connection, limit: int) -> list[Ping]:
    """The oldest pings no result has been saved for yet, by id."""
    query = (
        select(_pings.c.id, _pings.c.check_id, _pings.c.at, _pings.c.kind, _pings.c.exit_code)
        .where(~_pings.c.seen)
        .order_by(_pings.c.id)
        .limit(limit)
    )
    return [Ping(*row) for row in connection.execute(query)]


def mark_seen(connection: Connection, ping_ids: Iterable[int]) -> None:
    ids = sorted(set(ping_ids))
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        connection.execute(update(_pings).where(_pings.c.id.in_(chunk)).values(seen=True))


def latest_runs(connection: Connection) -> dict[str, datetime]:
    """When each check's latest run ended, by its latest success or failure ping, seen or not."""
    query = select(_pings.c.check_id, func.max(_pings.c.at)).where(_pings.c.kind.in_(RUN_ENDS))
    return dict(connection.execute(query.group_by(_pings.c.check_id)).all())


def latest_results(connection: Connection) -> dict[str, datetime]:
    """When the latest stored result of each heartbeat check was, from its state row."""
    heartbeats = select(t.checks.c.id).where(t.checks.c.type == "heartbeat")
    query = select(t.check_states.c.check_id, t.check_states.c.last_at).where(
        t.check_states.c.check_id.in_(heartbeats), t.check_states.c.last_at.is_not(None)
    )
    return dict(connection.execute(query).all())


def watch_starts(connection: Connection) -> dict[str, datetime]:
    return dict(connection.execute(select(_watches.c.check_id, _watches.c.since)).all())


def start_watching(connection: Connection, check_ids: Collection[str], now: datetime) -> None:
    """Record that watching these checks begins now, leaving alone any another engine recorded first."""
    if not check_ids:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_watches).on_conflict_do_nothing(index_elements=[_watches.c.check_id])
    connection.execute(statement, [{"check_id": check_id, "since": now} for check_id in check_ids])


def stop_watching(connection: Connection, check_ids: Collection[str]) -> None:
    """Forget when watching began for checks paused or removed, so watching them again starts afresh."""
    ids = sorted(check_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        connection.execute(delete(_watches).where(_watches.c.check_id.in_(ids[start : start + _IN_CHUNK])))

"""The notification outbox: claiming due notifications by compare-and-set, and recording how each attempt went.

A claim is a lease on the row (`claimed_until`): a worker that dies holding it loses it when it expires, and the
row is sent again, with the same idempotency key."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, RowMapping, and_, insert, or_, select, update

from watchkeeper.store import tables as t

n = t.notifications


def claim(connection: Connection, worker: str, now: datetime, hold: timedelta, limit: int) -> list[RowMapping]:
    """Up to `limit` due notifications, now held by `worker` until `now + hold`."""
    free = or_(n.c.claimed_until.is_(None), n.c.claimed_until < now)
    due = select(n.c.id).where(n.c.status == "pending", n.c.due_at <= now, free).order_by(n.c.due_at, n.c.id)
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(connection.execute(due.limit(limit)).scalars())
    if not ids:
        return []
    # The same condition again in the UPDATE: the compare-and-set that makes a claim safe without a lock.
    claimed = (
        update(n)
        .where(n.c.id.in_(ids), n.c.status == "pending", free)
        .values(claimed_by=worker, claimed_until=now + hold)
        .returning(*n.c)
    )
    return list(connection.execute(claimed).mappings())


@dataclass(frozen=True)
class Attempt:
    """How one send went."""

    notification_id: int
    attempt: int
    at: datetime
    outcome: str  # sent, retry or failed
    status_code: int | None
    latency_ms: float
    detail: str
    next_due: datetime | None
    """When to try again, for a retry within the time allowed."""


def record(connection: Connection, worker: str, attempts: Sequence[Attempt]) -> None:
    """Every attempt in the delivery log; each notification finished or put back, if this worker still holds it
    (a claim that expired may be someone else's now: their outcome will be recorded by them)."""
    if not attempts:
        return
    connection.execute(
        insert(t.deliveries),
        [
            {
                "notification_id": a.notification_id,
                "attempt": a.attempt,
                "at": a.at,
                "outcome": a.outcome,
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "detail": a.detail,
                "worker": worker,
            }
            for a in attempts
        ],
    )
    for a in attempts:
        values: dict[str, object] = {"attempts": a.attempt, "claimed_by": None, "claimed_until": None}
        if a.outcome == "retry" and a.next_due is not None:
            values |= {"due_at": a.next_due, "last_error": a.detail}
        elif a.outcome == "sent":
            values |= {"status": "sent", "finished_at": a.at, "last_error": None}
        else:
            values |= {"status": "failed", "finished_at": a.at, "last_error": a.detail}
        held = and_(n.c.id == a.notification_id, n.c.claimed_by == worker, n.c.status == "pending")
        connection.execute(update(n).where(held).values(**values))


def alert_ids(connection: Connection, notification_ids: Sequence[int]) -> dict[int, list[int]]:
    na = t.notification_alerts
    rows = connection.execute(select(na).where(na.c.notification_id.in_(list(notification_ids))))
    found: dict[int, list[int]] = {}
    for row in rows:
        found.setdefault(row.notification_id, []).append(row.alert_id)
    return found

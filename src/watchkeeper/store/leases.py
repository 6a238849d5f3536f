"""Leases: a named piece of work held by one process until a time, renewed while it is alive. Taking one is
a single compare-and-set update (free, expired, or already ours), so two processes never both win."""

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError

from watchkeeper.store import tables as t

_leases = t.leases


def take(connection: Connection, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew `name` for `holder` until now + ttl; False when another live holder has it."""
    claimed = connection.execute(
        update(_leases)
        .where(_leases.c.name == name, (_leases.c.holder == holder) | (_leases.c.expires_at <= now))
        .values(holder=holder, expires_at=now + ttl)
    )
    if claimed.rowcount == 1:
        return True
    if connection.execute(_leases.select().where(_leases.c.name == name)).first() is not None:
        return False
    with connection.begin_nested() as attempt:
        try:
            connection.execute(insert(_leases).values(name=name, holder=holder, expires_at=now + ttl))
        except IntegrityError:  # another process inserted it first: that one holds it
            attempt.rollback()
            return False
    return True


def give_up(connection: Connection, name: str, holder: str, now: datetime) -> None:
    """Release `name` at once if `holder` has it, so a standby need not wait for it to expire."""
    connection.execute(update(_leases).where(_leases.c.name == name, _leases.c.holder == holder).values(expires_at=now))


def holder_of(connection: Connection, name: str, now: datetime) -> str | None:
    row = connection.execute(_leases.select().where(_leases.c.name == name, _leases.c.expires_at > now)).first()
    return None if row is None else str(row.holder)

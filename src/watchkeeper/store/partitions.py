"""PostgreSQL only: raw check results in one partition per UTC day, so that retention drops whole days.

Partitions are made for yesterday to `DAYS_AHEAD` days ahead, by migration 0005 and then by every housekeeping
pass, so a result stamped just after midnight (or by an engine whose clock runs a little fast) finds its day.
Anything else (a clock days out, housekeeping stopped for days) lands in the DEFAULT partition, so an insert never
fails; when that day's partition is made later, its rows move out of the default into it.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from watchkeeper.store.database import Database

PARENT = "check_results"
DEFAULT_PARTITION = "check_results_default"
DAYS_AHEAD = 3
DDL_LOCK = 7_347_002
"""An advisory lock taken around partition changes, so two engines never make or drop the same one at once."""
DROP_LOCK_TIMEOUT = "2s"
"""How long a drop may wait for its lock. Dropping a partition locks the parent table, and inserts queue behind a
waiting drop, so a drop that cannot have the lock at once gives up and is tried again next pass."""

_NAME = re.compile(r"check_results_p(\d{8})")


def partition_name(day: date) -> str:
    return f"check_results_p{day:%Y%m%d}"


def days_to_have(today: date) -> list[date]:
    """Yesterday, today and the days ahead: the partitions every pass makes sure of."""
    return [today + timedelta(days=n) for n in range(-1, DAYS_AHEAD + 1)]


def day_partitions(connection: Connection) -> dict[date, str]:
    """The day partitions of check_results, by day."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:parent AS regclass)"
        ),
        {"parent": PARENT},
    ).scalars()
    found = {}
    for name in rows:
        match = _NAME.fullmatch(name)
        if match:
            found[datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC).date()] = name
    return found


@dataclass(frozen=True)
class Made:
    days: list[date] = field(default_factory=list)
    moved: int = 0
    """Rows moved out of the default partition into the new ones."""


@dataclass(frozen=True)
class Dropped:
    days: list[date] = field(default_factory=list)
    put_off: str | None = None
    """Why the rest were left for the next pass (a lock not granted in time), if they were."""


def create_day_partitions(connection: Connection, days: Iterable[date]) -> Made:
    """Make the partitions missing for these days, in the caller's transaction."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DDL_LOCK})
    existing = day_partitions(connection)
    made = sorted(set(days) - set(existing))
    return Made(made, sum(_create(connection, day) for day in made))


def _create(connection: Connection, day: date) -> int:
    # Made apart and then attached, after moving in any rows the default partition holds for the day: creating
    # it directly as a partition would fail while the default still holds rows that belong in it.
    name = partition_name(day)
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    connection.execute(text(f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS)'))
    moved = connection.execute(
        text(  # the name is made from a date, never from input
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE at >= :start AND at < :end RETURNING *) "  # noqa: S608
            f'INSERT INTO "{name}" SELECT * FROM moved'
        ),
        {"start": start, "end": end},
    ).rowcount
    connection.execute(
        text(
            f'ALTER TABLE {PARENT} ATTACH PARTITION "{name}" '
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    )
    return moved


def drop_day_partitions_before(db: Database, first_kept: date) -> Dropped:
    """Drop the partitions of days before `first_kept`, one transaction each, oldest first."""
    with db.reading() as connection:
        old = sorted(day for day in day_partitions(connection) if day < first_kept)
    dropped: list[date] = []
    for day in old:
        try:
            with db.transaction() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DDL_LOCK})
                connection.execute(text(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'"))
                connection.execute(text(f'DROP TABLE IF EXISTS "{partition_name(day)}"'))
        except OperationalError as error:  # most likely the lock timeout; the next pass tries again
            reason = str(error.orig).strip().splitlines()[0] if error.orig else "no reason given"
            return Dropped(dropped, f"{partition_name(day)}: {reason}")
        dropped.append(day)
    return Dropped(dropped)

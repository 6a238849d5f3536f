"""The processes that run, the leases they hold, and how far each duty has read."""

from sqlalchemy import (
    BigInteger,
    Column,
    String,
    Table,
)

from watchkeeper.store.tables.base import UTCDateTime, metadata

processes = Table(
    "processes",
    metadata,
    Column("id", String(64), primary_key=True),  # host:pid:start
    Column("role", String(16), nullable=False),
    Column("version", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

# Work that one engine must do at a time (running the checks) is held by a lease: a second engine waits as
# a hot standby and takes the lease over when the holder stops renewing it.
leases = Table(
    "leases",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(64), nullable=False),  # a process id, as in `processes`
    Column("expires_at", UTCDateTime, nullable=False),
)

# How far a duty has read an append-only table (the alerting duty's place in check_state_changes).
cursors = Table(
    "cursors",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

"""Checks at runtime: state, results, state changes, rollups and heartbeat pings."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)

from watchkeeper.store.tables.base import Json, UTCDateTime, metadata

check_states = Table(
    "check_states",
    metadata,
    Column("check_id", String(63), primary_key=True),  # no foreign key: state outlives a check renamed back
    Column("status", String(8), nullable=False),
    Column("since", UTCDateTime),
    Column("failures", Integer, nullable=False),
    Column("successes", Integer, nullable=False),
    Column("recent", String(32), nullable=False),  # latest results, oldest first, as "1" and "0"
    Column("last_at", UTCDateTime),
    Column("last_ok", Boolean),
    Column("last_reason", Text),
    Column("last_timings", Json),
    Column("last_warning", Boolean),  # passed, but near a limit (a certificate inside its warning mark)
)

# On PostgreSQL (migration 0005) raw results are partitioned by UTC day on `at`, so retention drops whole days;
# a partitioned table's primary key must hold the partition key, so there it is (id, at). id is a bigint there
# (two thousand results a second would use up a 32-bit id in twelve days); SQLite keeps its INTEGER rowid.
check_results = Table(
    "check_results",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("check_id", String(63), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("total_ms", Float),
    Column("timings", Json),
)
Index("ix_check_results_check_id_at", check_results.c.check_id, check_results.c.at)
Index("ix_check_results_at", check_results.c.at)  # rollups read and retention deletes by time, for every check

check_state_changes = Table(
    "check_state_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("check_id", String(63), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("before", String(8), nullable=False),
    Column("after", String(8), nullable=False),
    Column("reason", Text, nullable=False),
    Column("kind", String(8), nullable=False, server_default="status"),  # status, flapping or steady
)

# Rollups are what uptime history, service levels and reports read; raw results are kept only days.
# Latency percentiles do not merge, so each rollup also keeps counts per fixed latency bucket
# (bounds in domain.rollups): an hour or a day is then the exact sum of its minutes. A row exists once its
# period has ended; store.rollups writes them.
check_rollups = Table(
    "check_rollups",
    metadata,
    Column("check_id", String(63), primary_key=True),
    Column("resolution", String(6), primary_key=True),  # minute, hour or day
    Column("start", UTCDateTime, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("latency_p50_ms", Float),
    Column("latency_p95_ms", Float),
    Column("latency_p99_ms", Float),
    Column("latency_max_ms", Float),
    # The buckets that hold anything, keyed by upper bound in ms: {"250": 3, "280": 1, "+Inf": 1}; null when no
    # result had a time. domain.rollups.LatencyBuckets reads it (and a full list of counts, as first planned).
    Column("latency_buckets", Json),
)
Index("ix_check_rollups_resolution_start", check_rollups.c.resolution, check_rollups.c.start)

rollup_progress = Table(
    "rollup_progress",
    metadata,
    Column("resolution", String(6), primary_key=True),  # minute, hour or day
    Column("done_until", UTCDateTime, nullable=False),  # every period that starts before this has been rolled up
)

heartbeat_pings = Table(
    "heartbeat_pings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("check_id", String(63), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(8), nullable=False),  # success, start, fail
    Column("exit_code", Integer),
    Column("body", Text),  # the first 10 KB, as text
    # Set in the transaction that saves the result the ping became (or by the watch, for a ping that becomes
    # none), so a ping is turned into a result exactly once whichever engine reads it, and whenever.
    Column("seen", Boolean, nullable=False, server_default=false()),
)
# Only the pings not yet seen: a handful, however many are kept.
Index(
    "ix_heartbeat_pings_unseen",
    heartbeat_pings.c.id,
    postgresql_where=~heartbeat_pings.c.seen,
    sqlite_where=~heartbeat_pings.c.seen,
)

heartbeat_watches = Table(
    "heartbeat_watches",
    metadata,
    # No foreign key: the watch deletes the row when its check is paused or removed.
    Column("check_id", String(63), primary_key=True),
    Column("since", UTCDateTime, nullable=False),  # when watching began: the check first seen, or resumed
)

# --- Alerts (ADR 0021) ------------------------------------------------------------------------------------------

# Integration keys are issued at runtime and kept only as a SHA-256 digest: a key is 32 random characters, too

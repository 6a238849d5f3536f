"""The tables. Catalog objects carry `origin` ('file' or 'api'): file objects are owned by the catalog sync
and read-only through the API. Columns that queries filter or join on are columns; the rest of an object's
definition is kept in `spec` (JSON, `${VAR}` secret references unresolved)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Instants in UTC, aware on the way out on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")
ORIGINS = ("file", "api")


def _object_columns() -> list[Column[Any]]:
    return [
        Column("origin", String(8), nullable=False),
        Column("spec", Json, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
    ]


def _team_id(nullable: bool = False) -> Column[Any]:
    return Column("team_id", String(63), ForeignKey("teams.id"), nullable=nullable, index=True)


catalog_loads = Table(
    "catalog_loads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("source", Text, nullable=False),
    Column("trigger", String(16), nullable=False),  # start, cli, sighup, api
    Column("outcome", String(16), nullable=False),  # applied, unchanged, failed
    Column("digest", String(64)),
    Column("summary", Json),
    Column("problems", Json),
)

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("name", Text, nullable=False),
    Column("timezone", String(64), nullable=False),
    *_object_columns(),
)

data_sources = Table(
    "data_sources",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("type", String(32), nullable=False),
    *_object_columns(),
)

teams = Table(
    "teams",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("platform_team", Boolean, nullable=False),
    Column("capacity_managed_by", String(63), nullable=False),
    *_object_columns(),
)

people = Table(
    "people",
    metadata,
    Column("id", String(63), primary_key=True),
    _team_id(),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, index=True),
    Column("phone", String(32)),
    Column("timezone", String(64)),
    *_object_columns(),
)

channels = Table(
    "channels",
    metadata,
    Column("id", String(63), primary_key=True),
    _team_id(),
    Column("type", String(32), nullable=False),
    *_object_columns(),
)

schedules = Table(
    "schedules",
    metadata,
    Column("id", String(63), primary_key=True),
    _team_id(),
    Column("name", Text),
    Column("timezone", String(64), nullable=False),
    *_object_columns(),
)

escalation_policies = Table(
    "escalation_policies",
    metadata,
    Column("id", String(63), primary_key=True),
    _team_id(),
    Column("name", Text),
    *_object_columns(),
)

routes = Table(
    "routes",
    metadata,
    Column("team_id", String(63), ForeignKey("teams.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    *_object_columns(),
)

integrations = Table(
    "integrations",
    metadata,
    Column("id", String(63), primary_key=True),
    _team_id(),
    Column("type", String(32), nullable=False),
    Column("name", Text),
    *_object_columns(),
)

platforms = Table(
    "platforms",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_team_id", String(63), ForeignKey("teams.id"), nullable=False, index=True),
    *_object_columns(),
)

services = Table(
    "services",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_team_id", String(63), ForeignKey("teams.id"), nullable=False, index=True),
    Column("platform_id", String(63), ForeignKey("platforms.id"), index=True),
    *_object_columns(),
)

platform_dependencies = Table(
    "platform_dependencies",
    metadata,
    Column("platform_id", String(63), ForeignKey("platforms.id"), primary_key=True),
    Column("depends_on_id", String(63), ForeignKey("platforms.id"), primary_key=True),
    Column("origin", String(8), nullable=False),
)

service_dependencies = Table(
    "service_dependencies",
    metadata,
    Column("service_id", String(63), ForeignKey("services.id"), primary_key=True),
    Column("depends_on_id", String(63), ForeignKey("services.id"), primary_key=True),
    Column("origin", String(8), nullable=False),
)

checks = Table(
    "checks",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("service_id", String(63), ForeignKey("services.id"), index=True),
    Column("platform_id", String(63), ForeignKey("platforms.id"), index=True),
    Column("type", String(32), nullable=False),
    Column("name", Text),
    Column("interval_seconds", Float, nullable=False),
    Column("severity", String(8), nullable=False),
    Column("paused", Boolean, nullable=False),
    *_object_columns(),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("service_id", String(63), ForeignKey("services.id"), index=True),
    Column("platform_id", String(63), ForeignKey("platforms.id"), index=True),
    Column("name", Text, nullable=False),
    *_object_columns(),
)

service_levels = Table(
    "service_levels",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("service_id", String(63), ForeignKey("services.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("objective", Float, nullable=False),
    *_object_columns(),
)

capacity_signals = Table(
    "capacity_signals",
    metadata,
    Column("service_id", String(63), ForeignKey("services.id"), primary_key=True),
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("limit_value", Float, nullable=False),
    *_object_columns(),
)

status_pages = Table(
    "status_pages",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("title", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    *_object_columns(),
)

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

Index("ix_catalog_loads_outcome_at", catalog_loads.c.outcome, catalog_loads.c.at)

CATALOG_TABLES: tuple[Table, ...] = (
    organisation,
    data_sources,
    teams,
    people,
    channels,
    schedules,
    escalation_policies,
    routes,
    integrations,
    platforms,
    services,
    platform_dependencies,
    service_dependencies,
    checks,
    maintenance_windows,
    service_levels,
    capacity_signals,
    status_pages,
)
"""Catalog tables, parents before children: the sync writes in this order and deletes in reverse."""

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
# many to guess, so a fast digest is enough and lets the endpoint look a key up by its digest.
integration_keys = Table(
    "integration_keys",
    metadata,
    Column("integration_id", String(63), primary_key=True),  # no foreign key: a key outlives a catalog reload
    Column("digest", String(64), nullable=False, unique=True),
    Column("hint", String(8), nullable=False),  # the key's last four characters, to tell keys apart
    Column("issued_at", UTCDateTime, nullable=False),
    Column("issued_by", Text),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedup_key", Text, nullable=False),  # scoped by source: check:<id>, alertmanager:<integration>:<fp>
    Column("source", String(16), nullable=False),
    Column("integration_id", String(63)),
    Column("subject_kind", String(8), nullable=False),  # check, service, platform or team
    Column("subject_id", String(63), nullable=False),
    Column("team_id", String(63), nullable=False, index=True),  # the owner when the alert was raised
    Column("service_id", String(63), index=True),
    Column("platform_id", String(63), index=True),
    Column("severity", String(8), nullable=False),
    Column("status", String(12), nullable=False),  # triggered, acknowledged or resolved
    Column("summary", Text, nullable=False),
    Column("details", Json, nullable=False),
    Column("links", Json, nullable=False),
    Column("labels", Json, nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", Text),
    Column("resolved_at", UTCDateTime),
    Column("resolved_by", Text),
    # Why it notifies nobody, when it does not: "maintenance:<id>", "silence:<id>", or null.
    Column("suppressed_by", Text),
    # The platform's or dependency's open alert this one is attached to (shared responsibility).
    Column("cause_alert_id", Integer, index=True),
    Column("group_key", Text, index=True),
    Column("notified_status", String(12)),  # the status its owners were last told of; null before the first
    Column("route", Json),  # the route chosen: {"team": ..., "position": ..., "targets": [...], ...}
)
Index("ix_alerts_status_updated_at", alerts.c.status, alerts.c.updated_at)
# One open alert per key; resolved ones are history. Both SQLite and PostgreSQL have partial indexes.
Index(
    "uq_alerts_open_dedup_key",
    alerts.c.dedup_key,
    unique=True,
    sqlite_where=alerts.c.status != "resolved",
    postgresql_where=alerts.c.status != "resolved",
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    # opened, occurred, acknowledged, resolved, suppressed, attached, routed, notified, delivered, failed
    Column("kind", String(16), nullable=False),
    Column("actor", Text),  # a person, an integration or "watchkeeper"
    Column("message", Text, nullable=False),
    Column("data", Json),
)

alert_groups = Table(
    "alert_groups",
    metadata,
    Column("key", Text, primary_key=True),  # team, route position and the group's label values
    Column("team_id", String(63), nullable=False),
    Column("route", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("changed_at", UTCDateTime),  # the latest change not yet notified; null when all are notified
    Column("flushed_at", UTCDateTime),
    Column("flush_at", UTCDateTime, index=True),  # when it next notifies; null when nothing is due
    Column("flushes", Integer, nullable=False),  # sequence of its notifications, for idempotency keys
)

# The outbox: written in the same transaction as the change that causes it; workers claim rows by
# compare-and-set on claimed_until, so any number of engines may deliver and a killed one's claims expire.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("team_id", String(63), nullable=False),
    Column("channel_id", String(63), nullable=False, index=True),
    Column("channel_type", String(32), nullable=False),
    Column("group_key", Text),
    Column("action", String(12), nullable=False),
    Column("message", Json, nullable=False),  # channels.Message as JSON, secrets never resolved in it
    Column("status", String(8), nullable=False),  # pending, sent, failed (permanent or out of time)
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("give_up_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("last_error", Text),
)
Index("ix_notifications_status_due_at", notifications.c.status, notifications.c.due_at)

notification_alerts = Table(
    "notification_alerts",
    metadata,
    Column("notification_id", Integer, ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True, index=True),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("notification_id", Integer, ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("outcome", String(8), nullable=False),  # sent, retry or failed
    Column("status_code", Integer),
    Column("latency_ms", Float, nullable=False),
    Column("detail", Text, nullable=False),
    Column("worker", String(64), nullable=False),
)

channel_memory = Table(
    "channel_memory",
    metadata,
    Column("channel_id", String(63), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)

inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(63), nullable=False, index=True),
    Column("team_id", String(63), nullable=False),
    Column("notification_key", String(64), nullable=False, unique=True),  # a repeated send keeps one message
    Column("at", UTCDateTime, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
)

silences = Table(
    "silences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("matchers", Json, nullable=False),  # [{"name": "service", "op": "=", "value": "pay-api"}, ...]
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False, index=True),
    Column("author", Text, nullable=False),
    Column("comment", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expired_at", UTCDateTime),  # ended early by a person
    Column("expired_by", Text),
)

# Maintenance created at runtime (the catalog's recurring windows are in maintenance_windows).
runtime_maintenance = Table(
    "runtime_maintenance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("scope", Json, nullable=False),  # {"checks": [...], "services": [...], "platforms": [...]}
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False, index=True),
    Column("announce", Boolean, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime),
    Column("cancelled_by", Text),
)

# How far a duty has read an append-only table (the alerting duty's place in check_state_changes).
cursors = Table(
    "cursors",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

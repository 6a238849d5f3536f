"""Alerts and what follows them: events, groups, the outbox and its deliveries, inbound keys, silences and
runtime maintenance."""

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from watchkeeper.store.tables.base import Json, UTCDateTime, metadata

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
    Column("channel_id", String(80), nullable=False, index=True),  # a channel, or a person by one way: person:ID/email
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
    Column("channel_id", String(80), nullable=False, index=True),  # a channel, or a person by one way: person:ID/email
    Column("team_id", String(63), nullable=False),
    Column("notification_key", String(64), nullable=False, unique=True),  # a repeated send keeps one message
    Column("at", UTCDateTime, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("page_link_id", Integer),  # a page's one-click link, signed when the inbox is shown, never stored
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

"""The catalog's tables: what the files (or the API) declare. Objects carry `origin` ('file' or 'api'): file
objects are owned by the catalog sync and read-only through the API. Columns that queries filter or join on are
columns; the rest of an object's definition is kept in `spec` (JSON, `${VAR}` secret references unresolved)."""

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

from watchkeeper.store.tables.base import Json, UTCDateTime, metadata, object_columns, team_id_column

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
    *object_columns(),
)

data_sources = Table(
    "data_sources",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("type", String(32), nullable=False),
    *object_columns(),
)

teams = Table(
    "teams",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("platform_team", Boolean, nullable=False),
    Column("capacity_managed_by", String(63), nullable=False),
    *object_columns(),
)

people = Table(
    "people",
    metadata,
    Column("id", String(63), primary_key=True),
    team_id_column(),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, index=True),
    Column("email_key", Text, index=True),  # the email folded (domain.emails), for finding a person's account
    Column("phone", String(32)),
    Column("timezone", String(64)),
    *object_columns(),
)

channels = Table(
    "channels",
    metadata,
    Column("id", String(63), primary_key=True),
    team_id_column(),
    Column("type", String(32), nullable=False),
    *object_columns(),
)

schedules = Table(
    "schedules",
    metadata,
    Column("id", String(63), primary_key=True),
    team_id_column(),
    Column("name", Text),
    Column("timezone", String(64), nullable=False),
    *object_columns(),
)

escalation_policies = Table(
    "escalation_policies",
    metadata,
    Column("id", String(63), primary_key=True),
    team_id_column(),
    Column("name", Text),
    *object_columns(),
)

routes = Table(
    "routes",
    metadata,
    Column("team_id", String(63), ForeignKey("teams.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    *object_columns(),
)

integrations = Table(
    "integrations",
    metadata,
    Column("id", String(63), primary_key=True),
    team_id_column(),
    Column("type", String(32), nullable=False),
    Column("name", Text),
    *object_columns(),
)

platforms = Table(
    "platforms",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_team_id", String(63), ForeignKey("teams.id"), nullable=False, index=True),
    *object_columns(),
)

services = Table(
    "services",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_team_id", String(63), ForeignKey("teams.id"), nullable=False, index=True),
    Column("platform_id", String(63), ForeignKey("platforms.id"), index=True),
    *object_columns(),
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
    *object_columns(),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("service_id", String(63), ForeignKey("services.id"), index=True),
    Column("platform_id", String(63), ForeignKey("platforms.id"), index=True),
    Column("name", Text, nullable=False),
    *object_columns(),
)

service_levels = Table(
    "service_levels",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("service_id", String(63), ForeignKey("services.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("objective", Float, nullable=False),
    *object_columns(),
)

capacity_signals = Table(
    "capacity_signals",
    metadata,
    Column("service_id", String(63), ForeignKey("services.id"), primary_key=True),
    Column("id", String(63), primary_key=True),
    Column("name", Text, nullable=False),
    Column("limit_value", Float, nullable=False),
    *object_columns(),
)

status_pages = Table(
    "status_pages",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("title", Text, nullable=False),
    Column("public", Boolean, nullable=False),
    *object_columns(),
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

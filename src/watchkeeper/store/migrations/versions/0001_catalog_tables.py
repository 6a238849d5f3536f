"""Catalog tables, the catalog load log and the process register.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 14:52:30.385161
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import watchkeeper.store.tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "catalog_loads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "problems",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_loads")),
    )
    with op.batch_alter_table("catalog_loads", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_loads_outcome_at", ["outcome", "at"], unique=False)

    op.create_table(
        "data_sources",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_sources")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "processes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("started_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processes")),
    )
    op.create_table(
        "status_pages",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_pages")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("platform_team", sa.Boolean(), nullable=False),
        sa.Column("capacity_managed_by", sa.String(length=63), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_channels_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
    )
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channels_team_id"), ["team_id"], unique=False)

    op.create_table(
        "escalation_policies",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_escalation_policies_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policies")),
    )
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_policies_team_id"), ["team_id"], unique=False)

    op.create_table(
        "integrations",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_integrations_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
    )
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_integrations_team_id"), ["team_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_people_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_people_team_id"), ["team_id"], unique=False)

    op.create_table(
        "platforms",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_team_id", sa.String(length=63), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_team_id"], ["teams.id"], name=op.f("fk_platforms_owner_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platforms")),
    )
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_platforms_owner_team_id"), ["owner_team_id"], unique=False)

    op.create_table(
        "routes",
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_routes_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", "position", name=op.f("pk_routes")),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("team_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_schedules_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedules_team_id"), ["team_id"], unique=False)

    op.create_table(
        "platform_dependencies",
        sa.Column("platform_id", sa.String(length=63), nullable=False),
        sa.Column("depends_on_id", sa.String(length=63), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_id"], ["platforms.id"], name=op.f("fk_platform_dependencies_depends_on_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_platform_dependencies_platform_id_platforms")
        ),
        sa.PrimaryKeyConstraint("platform_id", "depends_on_id", name=op.f("pk_platform_dependencies")),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner_team_id", sa.String(length=63), nullable=False),
        sa.Column("platform_id", sa.String(length=63), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_team_id"], ["teams.id"], name=op.f("fk_services_owner_team_id_teams")),
        sa.ForeignKeyConstraint(["platform_id"], ["platforms.id"], name=op.f("fk_services_platform_id_platforms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_owner_team_id"), ["owner_team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_services_platform_id"), ["platform_id"], unique=False)

    op.create_table(
        "capacity_signals",
        sa.Column("service_id", sa.String(length=63), nullable=False),
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("limit_value", sa.Float(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_capacity_signals_service_id_services")),
        sa.PrimaryKeyConstraint("service_id", "id", name=op.f("pk_capacity_signals")),
    )
    op.create_table(
        "checks",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("service_id", sa.String(length=63), nullable=True),
        sa.Column("platform_id", sa.String(length=63), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["platform_id"], ["platforms.id"], name=op.f("fk_checks_platform_id_platforms")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_checks_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checks_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checks_service_id"), ["service_id"], unique=False)

    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("service_id", sa.String(length=63), nullable=True),
        sa.Column("platform_id", sa.String(length=63), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=op.f("fk_maintenance_windows_platform_id_platforms")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_maintenance_windows_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_windows")),
    )
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_windows_platform_id"), ["platform_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_maintenance_windows_service_id"), ["service_id"], unique=False)

    op.create_table(
        "service_dependencies",
        sa.Column("service_id", sa.String(length=63), nullable=False),
        sa.Column("depends_on_id", sa.String(length=63), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_id"], ["services.id"], name=op.f("fk_service_dependencies_depends_on_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_dependencies_service_id_services")
        ),
        sa.PrimaryKeyConstraint("service_id", "depends_on_id", name=op.f("pk_service_dependencies")),
    )
    op.create_table(
        "service_levels",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("service_id", sa.String(length=63), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_service_levels_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_levels")),
    )
    with op.batch_alter_table("service_levels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_levels_service_id"), ["service_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("service_levels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_levels_service_id"))

    op.drop_table("service_levels")
    op.drop_table("service_dependencies")
    with op.batch_alter_table("maintenance_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_service_id"))
        batch_op.drop_index(batch_op.f("ix_maintenance_windows_platform_id"))

    op.drop_table("maintenance_windows")
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checks_service_id"))
        batch_op.drop_index(batch_op.f("ix_checks_platform_id"))

    op.drop_table("checks")
    op.drop_table("capacity_signals")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_platform_id"))
        batch_op.drop_index(batch_op.f("ix_services_owner_team_id"))

    op.drop_table("services")
    op.drop_table("platform_dependencies")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_team_id"))

    op.drop_table("schedules")
    op.drop_table("routes")
    with op.batch_alter_table("platforms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_platforms_owner_team_id"))

    op.drop_table("platforms")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_team_id"))
        batch_op.drop_index(batch_op.f("ix_people_email"))

    op.drop_table("people")
    with op.batch_alter_table("integrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_integrations_team_id"))

    op.drop_table("integrations")
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_policies_team_id"))

    op.drop_table("escalation_policies")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channels_team_id"))

    op.drop_table("channels")
    op.drop_table("teams")
    op.drop_table("status_pages")
    op.drop_table("processes")
    op.drop_table("organisation")
    op.drop_table("data_sources")
    with op.batch_alter_table("catalog_loads", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_loads_outcome_at")

    op.drop_table("catalog_loads")

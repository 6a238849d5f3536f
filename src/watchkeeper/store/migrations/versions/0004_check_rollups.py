"""Check rollups by minute, hour and day.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 16:42:14.622784
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import watchkeeper.store.tables

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_rollups",
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("resolution", sa.String(length=6), nullable=False),
        sa.Column("start", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("latency_p50_ms", sa.Float(), nullable=True),
        sa.Column("latency_p95_ms", sa.Float(), nullable=True),
        sa.Column("latency_p99_ms", sa.Float(), nullable=True),
        sa.Column("latency_max_ms", sa.Float(), nullable=True),
        sa.Column(
            "latency_buckets",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("check_id", "resolution", "start", name=op.f("pk_check_rollups")),
    )
    with op.batch_alter_table("check_rollups", schema=None) as batch_op:
        batch_op.create_index("ix_check_rollups_resolution_start", ["resolution", "start"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("check_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_check_rollups_resolution_start")

    op.drop_table("check_rollups")

"""Check state, raw check results and state changes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 16:05:46.392076
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import watchkeeper.store.tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "check_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("total_ms", sa.Float(), nullable=True),
        sa.Column(
            "timings", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_results")),
    )
    with op.batch_alter_table("check_results", schema=None) as batch_op:
        batch_op.create_index("ix_check_results_check_id_at", ["check_id", "at"], unique=False)

    op.create_table(
        "check_state_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("before", sa.String(length=8), nullable=False),
        sa.Column("after", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_state_changes")),
    )
    with op.batch_alter_table("check_state_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_state_changes_check_id"), ["check_id"], unique=False)

    op.create_table(
        "check_states",
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("since", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("recent", sa.String(length=32), nullable=False),
        sa.Column("last_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=True),
        sa.Column("last_reason", sa.Text(), nullable=True),
        sa.Column(
            "last_timings", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("check_id", name=op.f("pk_check_states")),
    )


def downgrade() -> None:

    op.drop_table("check_states")
    with op.batch_alter_table("check_state_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_state_changes_check_id"))

    op.drop_table("check_state_changes")
    with op.batch_alter_table("check_results", schema=None) as batch_op:
        batch_op.drop_index("ix_check_results_check_id_at")

    op.drop_table("check_results")

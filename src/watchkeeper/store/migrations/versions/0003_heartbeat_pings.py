"""Heartbeat pings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:15:41.638714
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import watchkeeper.store.tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "heartbeat_pings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_heartbeat_pings")),
    )
    with op.batch_alter_table("heartbeat_pings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_heartbeat_pings_check_id"), ["check_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("heartbeat_pings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_heartbeat_pings_check_id"))

    op.drop_table("heartbeat_pings")

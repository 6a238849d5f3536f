"""Leases (work one engine does at a time), kinds of state change (flapping) and warnings on check states.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 17:17:01.707249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import watchkeeper.store.tables

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    with op.batch_alter_table("check_state_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="status", nullable=False))

    with op.batch_alter_table("check_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_warning", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_states", schema=None) as batch_op:
        batch_op.drop_column("last_warning")

    with op.batch_alter_table("check_state_changes", schema=None) as batch_op:
        batch_op.drop_column("kind")

    op.drop_table("leases")

"""On-call overrides (swaps and covers are overrides too) and the secret calendar feeds (ADR 0033, 0034).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 22:51:13.200153
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import watchkeeper.store.tables

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("subject_kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.String(length=63), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("issued_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("subject_kind", "subject_id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("digest", name=op.f("uq_calendar_feeds_digest")),
    )
    op.create_table(
        "overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.String(length=63), nullable=False),
        sa.Column("person_id", sa.String(length=63), nullable=False),
        sa.Column("replaces", sa.String(length=63), nullable=True),
        sa.Column("starts_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("swap_with", sa.Integer(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overrides")),
    )
    with op.batch_alter_table("overrides", schema=None) as batch_op:
        batch_op.create_index("ix_overrides_schedule_id_ends_at", ["schedule_id", "ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_overrides_schedule_id_ends_at")

    op.drop_table("overrides")
    op.drop_table("calendar_feeds")

"""Who expired a silence early and who cancelled a runtime maintenance window, for the record.

Revision ID: 0016
Revises: 0007
Create Date: 2026-11-26 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expired_by", sa.Text(), nullable=True))
    with op.batch_alter_table("runtime_maintenance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_by", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runtime_maintenance", schema=None) as batch_op:
        batch_op.drop_column("cancelled_by")
    with op.batch_alter_table("silences", schema=None) as batch_op:
        batch_op.drop_column("expired_by")

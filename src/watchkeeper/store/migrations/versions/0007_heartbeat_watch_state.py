"""Heartbeat watch state in the database: pings marked once seen, and when watching each check began.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:12:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import watchkeeper.store.tables

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_pings = sa.table("heartbeat_pings", sa.column("check_id"), sa.column("at"), sa.column("seen", sa.Boolean()))
_states = sa.table("check_states", sa.column("check_id"), sa.column("last_at"))
_checks = sa.table(
    "checks", sa.column("id"), sa.column("type"), sa.column("paused", sa.Boolean()), sa.column("created_at")
)
_watches = sa.table("heartbeat_watches", sa.column("check_id"), sa.column("since"))


def upgrade() -> None:
    with op.batch_alter_table("heartbeat_pings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(
            "ix_heartbeat_pings_unseen",
            ["id"],
            unique=False,
            postgresql_where=sa.text("NOT seen"),
            sqlite_where=sa.text("seen = 0"),
        )
    # The engine before this kept its place in memory. A ping no later than its check's latest stored result was
    # read by it; one after (it came while no engine ran) is left unseen, so the next engine reads it.
    latest = sa.select(_states.c.last_at).where(_states.c.check_id == _pings.c.check_id).scalar_subquery()
    op.execute(_pings.update().where(_pings.c.at <= latest).values(seen=True))

    op.create_table(
        "heartbeat_watches",
        sa.Column("check_id", sa.String(length=63), nullable=False),
        sa.Column("since", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("check_id", name=op.f("pk_heartbeat_watches")),
    )
    # The engine before this timed a check that had never pinged from its own start; the nearest stored
    # moment to when watching began is when the check was created.
    watched = sa.select(_checks.c.id, _checks.c.created_at).where(
        _checks.c.type == "heartbeat", _checks.c.paused == sa.false()
    )
    op.execute(_watches.insert().from_select(["check_id", "since"], watched))


def downgrade() -> None:
    op.drop_table("heartbeat_watches")
    with op.batch_alter_table("heartbeat_pings", schema=None) as batch_op:
        batch_op.drop_index("ix_heartbeat_pings_unseen")
        batch_op.drop_column("seen")

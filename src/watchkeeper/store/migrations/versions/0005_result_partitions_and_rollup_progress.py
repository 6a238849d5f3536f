"""Raw results by time: an index on `at`, rollup progress, and on PostgreSQL one partition per UTC day.

On PostgreSQL check_results becomes a table partitioned by range on `at`: its primary key becomes (id, at), id a
bigint, partitions are made for every day that holds results and for yesterday to three days ahead, a DEFAULT
partition takes anything else, and the existing rows are copied in. The copy takes as long as the table is big.
SQLite keeps its table as it is, with a new index on `at`.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:12:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Connection

import watchkeeper.store.tables
from watchkeeper.store import partitions

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rollup_progress",
        sa.Column("resolution", sa.String(length=6), nullable=False),
        sa.Column("done_until", watchkeeper.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("resolution", name=op.f("pk_rollup_progress")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _partition_results(bind)
    else:
        with op.batch_alter_table("check_results", schema=None) as batch_op:
            batch_op.create_index("ix_check_results_at", ["at"], unique=False)


def _partition_results(bind: Connection) -> None:
    for statement in (
        *_set_aside("unpartitioned"),
        _results_table("bigint", primary_key="id, at") + " PARTITION BY RANGE (at)",
        "ALTER SEQUENCE check_results_id_seq AS bigint OWNED BY check_results.id",
        "CREATE INDEX ix_check_results_check_id_at ON check_results (check_id, at)",
        "CREATE INDEX ix_check_results_at ON check_results (at)",
        f"CREATE TABLE {partitions.DEFAULT_PARTITION} PARTITION OF check_results DEFAULT",
    ):
        bind.execute(sa.text(statement))
    with_results = bind.execute(
        sa.text("SELECT DISTINCT CAST(at AT TIME ZONE 'UTC' AS date) FROM check_results_unpartitioned")
    ).scalars()
    today = datetime.now(UTC).date()
    partitions.create_day_partitions(bind, {*with_results, *partitions.days_to_have(today)})
    bind.execute(sa.text(_copy_from("check_results_unpartitioned")))
    bind.execute(sa.text("DROP TABLE check_results_unpartitioned"))


def _set_aside(suffix: str) -> tuple[str, ...]:
    """Renames the results table, its key and its (check_id, at) index, to copy from it into a new table."""
    return (
        f"ALTER TABLE check_results RENAME TO check_results_{suffix}",
        f"ALTER TABLE check_results_{suffix} RENAME CONSTRAINT pk_check_results TO pk_check_results_{suffix}",
        f"ALTER INDEX ix_check_results_check_id_at RENAME TO ix_check_results_{suffix}_check_id_at",
    )


def _results_table(id_type: str, primary_key: str) -> str:
    """The results table as it is on either side of this migration: only the id's type and the key differ."""
    return f"""CREATE TABLE check_results (
            id {id_type} NOT NULL DEFAULT nextval('check_results_id_seq'),
            check_id varchar(63) NOT NULL,
            at timestamp with time zone NOT NULL,
            ok boolean NOT NULL,
            reason text NOT NULL,
            total_ms double precision,
            timings jsonb,
            CONSTRAINT pk_check_results PRIMARY KEY ({primary_key})
        )"""


def _copy_from(table: str) -> str:
    columns = "id, check_id, at, ok, reason, total_ms, timings"
    return f"INSERT INTO check_results ({columns}) SELECT {columns} FROM {table}"  # noqa: S608 (this file's names)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _unpartition_results(bind)
    else:
        with op.batch_alter_table("check_results", schema=None) as batch_op:
            batch_op.drop_index("ix_check_results_at")
    op.drop_table("rollup_progress")


def _unpartition_results(bind: Connection) -> None:
    for statement in (
        *_set_aside("partitioned"),
        "ALTER INDEX ix_check_results_at RENAME TO ix_check_results_partitioned_at",
        _results_table("integer", primary_key="id"),
        "ALTER SEQUENCE check_results_id_seq OWNED BY check_results.id",
        _copy_from("check_results_partitioned"),
        "DROP TABLE check_results_partitioned",
        "ALTER SEQUENCE check_results_id_seq AS integer",
        "CREATE INDEX ix_check_results_check_id_at ON check_results (check_id, at)",
    ):
        bind.execute(sa.text(statement))

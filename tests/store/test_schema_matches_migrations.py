"""The migrations build exactly the schema the table definitions describe, on both databases: a column or an
index added to one and not the other fails here, not on a user's first write."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from watchkeeper.store.tables import metadata


def _about_partitions(difference: Any) -> bool:
    """PostgreSQL keeps raw results in daily partitions the engine makes as days come (ADR 0015): not tables of
    the definitions, and not made by a migration."""
    kind, found = difference[0], difference[1]
    table = found if kind == "remove_table" else getattr(found, "table", None)
    return kind in ("remove_table", "remove_index") and str(getattr(table, "name", "")).startswith("check_results_")


def test_the_migrated_schema_is_the_defined_one(db):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    assert [d for d in differences if not _about_partitions(d)] == []

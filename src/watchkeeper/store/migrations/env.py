"""Alembic environment: the engine comes from the caller; PostgreSQL migrations run under an advisory lock so
that several processes starting together apply them once."""

from alembic import context
from sqlalchemy import Engine, text

from watchkeeper.store.tables import metadata

MIGRATION_LOCK = 7_347_001  # any constant shared by every Watchkeeper process


def run() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()


run()

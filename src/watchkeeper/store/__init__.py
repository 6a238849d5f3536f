"""The store: SQLAlchemy Core tables on SQLite (embedded default) or PostgreSQL, with Alembic migrations."""

from watchkeeper.store.database import Database, UnsupportedDatabase, database_url_for_driver

__all__ = ["Database", "UnsupportedDatabase", "database_url_for_driver"]

"""Connecting to the database: URLs as users write them, SQLite pragmas, and migrations on start."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from watchkeeper.store import documents

SQLITE_BUSY_TIMEOUT_MS = 10_000


class UnsupportedDatabase(ValueError):
    pass


def database_url_for_driver(url: str) -> str:
    """`sqlite:///PATH` and `postgresql://...` as users write them, with the driver Watchkeeper uses."""
    if not url.strip():
        raise UnsupportedDatabase(
            "the database URL is empty: use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME"
        )
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        _ = parsed.port  # parses the port, which may not be a number
    except (ArgumentError, ValueError):
        raise UnsupportedDatabase(
            f"{_safe(url)} is not a database URL: use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/NAME"
        ) from None
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise UnsupportedDatabase("a SQLite URL needs a file: sqlite:///PATH (an in-memory database is not kept)")
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    raise UnsupportedDatabase(
        f"unsupported database '{backend}' in {_safe(url)}: Watchkeeper runs on sqlite:/// or postgresql://"
    )


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "the URL given"


class Database:
    """One engine for the process. SQLite gets WAL and a busy timeout; PostgreSQL a small pool."""

    def __init__(self, url: str) -> None:
        self.url = database_url_for_driver(url)
        self.engine: Engine = self._create_engine()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def safe_url(self) -> str:
        return _safe(self.url)

    def _create_engine(self) -> Engine:
        if self.url.startswith("sqlite"):
            path = make_url(self.url).database
            if path:
                try:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                except OSError as error:
                    raise UnsupportedDatabase(
                        f"cannot make the folder for the SQLite database {path}: {error.strerror}"
                    ) from None
            engine = create_engine(
                self.url,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                json_serializer=documents.dumps,
                json_deserializer=documents.loads,
                hide_parameters=True,
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        # hide_parameters: a database error's message must not carry the values it was given (an alert's details,
        # a sender's payload) into the log, or on to Sentry.
        return create_engine(
            self.url,
            pool_size=5,
            max_overflow=5,
            pool_pre_ping=True,
            json_serializer=documents.dumps,
            json_deserializer=documents.loads,
            hide_parameters=True,
        )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; on SQLite it takes the write lock at once so that writers queue, not deadlock."""
        with self.engine.connect() as connection:
            connection.execution_options(watchkeeper_write=True)
            with connection.begin():
                yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    def upgrade(self) -> str:
        """Apply every migration not yet applied; returns the revision the database is now at."""
        from watchkeeper.store.migrate import upgrade

        return upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so that "begin" below decides how transactions start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Writers take the lock when they start (IMMEDIATE) and wait for it under busy_timeout; a deferred
    # transaction that reads and then writes could instead fail at once with "database is locked".
    write = connection.get_execution_options().get("watchkeeper_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

"""Opening the database for a command, with a clear message instead of a traceback when it cannot be."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

from watchkeeper.cli.output import fail
from watchkeeper.settings import Settings
from watchkeeper.store import Database, UnsupportedDatabase


@contextmanager
def migrated_database(settings: Settings) -> Iterator[tuple[Database, str]]:
    """The database named by the settings, migrated to the latest revision; disposed of afterwards."""
    try:
        database = Database(settings.database_url)
        revision = database.upgrade()
    except UnsupportedDatabase as error:
        fail(str(error))
        raise  # unreachable: fail() exits
    except OperationalError as error:
        fail(f"cannot reach the database: {unreachable_reason(error)}")
        raise
    try:
        yield database, revision
    finally:
        database.dispose()


def unreachable_reason(error: OperationalError) -> str:
    lines = str(error.orig).strip().splitlines() if error.orig else []
    return lines[0] if lines else "no answer"

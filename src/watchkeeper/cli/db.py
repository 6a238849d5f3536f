"""`watchkeeper db upgrade`."""

import click

from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.settings import Settings


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@json_option
def upgrade(as_json: bool) -> None:
    """Apply every pending migration to WATCHKEEPER_DATABASE_URL (the server also does this on start)."""
    from sqlalchemy.exc import OperationalError

    from watchkeeper.store import Database, UnsupportedDatabase

    settings = Settings()
    try:
        database = Database(settings.database_url)
        revision = database.upgrade()
    except UnsupportedDatabase as error:
        fail(str(error))
        return
    except OperationalError as error:
        fail(f"cannot reach the database: {str(error.orig).strip().splitlines()[0]}")
        return
    if as_json:
        emit_json({"database": database.safe_url, "revision": revision})
    else:
        click.echo(f"{database.safe_url} is at revision {revision}")
    database.dispose()

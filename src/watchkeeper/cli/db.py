"""`watchkeeper db upgrade`."""

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.settings import Settings


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@json_option
def upgrade(as_json: bool) -> None:
    """Apply every pending migration to WATCHKEEPER_DATABASE_URL (the server also does this on start)."""
    with migrated_database(Settings()) as (database, revision):
        if as_json:
            emit_json({"database": database.safe_url, "revision": revision})
        else:
            click.echo(f"{database.safe_url} is at revision {revision}")

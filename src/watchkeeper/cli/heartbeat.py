"""`watchkeeper heartbeat url`: the secret URLs a heartbeat check's job pings.

The console does not show them: it has no sign-in yet, and anyone holding a ping URL can report for its job.
"""

from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.catalog.problems import closest
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.services.heartbeats import PingUrls, ping_token, ping_urls, stored_check_types
from watchkeeper.settings import Settings, SettingsError
from watchkeeper.store import Database, UnsupportedDatabase, database_url_for_driver


@click.group()
def heartbeat() -> None:
    """Heartbeat checks: the URLs their jobs ping."""


@heartbeat.command()
@click.option("--id", "check_id", required=True, help="The id of the heartbeat check.")
@click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(path_type=Path),
    help="Catalog holding the check (default: WATCHKEEPER_CATALOG, or else the checks in the database).",
)
@json_option
def url(check_id: str, catalog_path: Path | None, as_json: bool) -> None:
    """Print the ping URLs of heartbeat check ID: success, /start, /fail and /EXIT-CODE.

    They are built from WATCHKEEPER_SECRET_KEY (the same key as the server's) and WATCHKEEPER_PUBLIC_URL.
    Keep them secret: anyone who has one can report for the job.
    """
    settings = Settings()
    try:
        key = settings.secret_key_value()
    except SettingsError as error:
        fail(str(error))
    check_type, where = _check_type(check_id, catalog_path or settings.catalog, settings.database_url)
    if check_type != "heartbeat":
        fail(f"check {check_id!r} in {where} is of type {check_type}, not heartbeat: only heartbeats have ping URLs")
    urls = ping_urls(settings.base_url(), ping_token(key, check_id))
    if settings.public_url is None:
        click.echo(
            f"(WATCHKEEPER_PUBLIC_URL is not set, so these use the address the server listens on, "
            f"{settings.base_url()}; set it to the address jobs reach the server at.)",
            err=True,
        )
    if as_json:
        emit_json({"check": check_id, **urls.as_dict()})
    else:
        _describe(check_id, urls)


def _check_type(check_id: str, catalog_path: Path | None, database_url: str) -> tuple[str, str]:
    """The check's type, and where it was looked up; a clear failure when there is no such check."""
    if catalog_path is not None:
        try:
            catalog = load_catalog(catalog_path, check_secrets=False)
        except CatalogInvalid as invalid:
            fail(invalid.report())
        found = {check.id: check.type for _, check in catalog.checks()}
        where = str(catalog_path)
    else:
        found, where = _stored(database_url)
    if check_id not in found:
        hint = closest(check_id, found)
        fail(f"no check {check_id!r} in {where}" + (f" ({hint})" if hint else ""))
    return found[check_id], where


def _stored(database_url: str) -> tuple[dict[str, str], str]:
    """The checks in force in the database, read without changing it (not even migrating it)."""
    try:
        url = database_url_for_driver(database_url)
    except UnsupportedDatabase as error:
        fail(str(error))
    path = make_url(url).database
    if url.startswith("sqlite") and path is not None and not Path(path).is_file():
        fail(f"there is no database at {path}: give --catalog, or set WATCHKEEPER_DATABASE_URL")
    db = Database(url)
    try:
        return stored_check_types(db), db.safe_url
    except DBAPIError as error:
        fail(
            f"cannot read the checks from {db.safe_url}: {_first_line(error)}. "
            "Give --catalog, or load a catalog first (watchkeeper catalog apply PATH)"
        )
    finally:
        db.dispose()


def _first_line(error: DBAPIError) -> str:
    lines = str(error.orig).strip().splitlines() if error.orig else []
    return lines[0] if lines else "no answer"


def _describe(check_id: str, urls: PingUrls) -> None:
    click.echo(f"Ping URLs of heartbeat check {check_id} (secret: anyone who has one can report for the job):")
    click.echo(f"  success    {urls.success}")
    click.echo(f"  start      {urls.start}")
    click.echo(f"  failure    {urls.fail}")
    click.echo(
        f"  exit code  {urls.exit_code.replace('{code}', 'CODE')}   (CODE: 0 for success, 1 to 255 for a failure)"
    )
    click.echo("A cron job can report how it ended by following its command with:")
    click.echo(f"  ; curl -fsS -m 10 --retry 3 {urls.exit_code.replace('{code}', '$?')}")

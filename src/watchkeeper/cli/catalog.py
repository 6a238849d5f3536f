"""`watchkeeper validate` and `watchkeeper catalog apply`."""

from pathlib import Path

import click

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.settings import Settings

catalog_path = click.argument("path", type=click.Path(path_type=Path))


@click.command()
@catalog_path
@click.option("--no-secrets", is_flag=True, help="Check everything but the values of ${VAR} secrets.")
@json_option
def validate(path: Path, no_secrets: bool, as_json: bool) -> None:
    """Check the catalog at PATH (a YAML file, or a directory whose files merge) without changing anything.

    Exits 0 with a one-line summary when it is valid, 1 with every problem (file:line) when it is not.
    """
    try:
        loaded = load_catalog(path, check_secrets=not no_secrets)
    except CatalogInvalid as invalid:
        if as_json:
            emit_json({"valid": False, "problems": [p.as_dict() for p in invalid.problems]})
            raise SystemExit(1) from None
        fail(invalid.report())
        return
    summary = loaded.summary()
    if as_json:
        emit_json({"valid": True, "summary": summary, "secrets": loaded.secrets, "secrets_checked": not no_secrets})
        return
    counts = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in summary.items())
    note = " (secret values not checked)" if no_secrets else ""
    click.echo(f"{path}: valid catalog: {counts}{note}")


@click.group()
def catalog() -> None:
    """Apply the catalog to the database."""


@catalog.command()
@catalog_path
@json_option
def apply(path: Path, as_json: bool) -> None:
    """Load the catalog at PATH into the database in one transaction, without serving (for a deploy pipeline).

    A catalog with problems changes nothing and exits 1.
    """
    from watchkeeper.cli.database import migrated_database
    from watchkeeper.cli.suppression import login_name
    from watchkeeper.services.audit import cli_actor
    from watchkeeper.services.catalog import apply_catalog_from
    from watchkeeper.services.clock import SystemClock

    actor = cli_actor(login_name() or "the watchkeeper command")
    with migrated_database(Settings()) as (database, _revision):
        result = apply_catalog_from(database, path, clock=SystemClock(), trigger="cli", actor=actor)
    if as_json:
        emit_json(result.as_dict())
    elif result.ok:
        changes = result.changes
        click.echo(
            f"{path}: {result.outcome} to {database.safe_url}: {changes['created']} created, "
            f"{changes['updated']} updated, {changes['deleted']} deleted"
        )
    else:
        lines = [
            f"{p['file']}{':' + str(p['line']) if p['line'] else ''}: {p['message']}"
            + (f" ({p['hint']})" if p["hint"] else "")
            for p in result.problems
        ]
        fail("\n".join([*lines, f"{len(lines)} problem(s); nothing was changed"]))
    if not result.ok:
        raise SystemExit(1)

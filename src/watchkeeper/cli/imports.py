"""`watchkeeper import pingdom` and `watchkeeper import pagerduty`: another tool's export in, catalog YAML out."""

import json
import sys
from pathlib import Path
from typing import Any

import click

from watchkeeper.cli.import_files import catalog_id, write_file
from watchkeeper.cli.import_pagerduty import pagerduty as pagerduty_command
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.importers.fragment import one_line
from watchkeeper.importers.pingdom import ImportOptions, PingdomImport, import_pingdom
from watchkeeper.importers.pingdom.importer import counted
from watchkeeper.importers.problems import ExportInvalid


@click.group(name="import")
def import_group() -> None:
    """Turn another tool's export (Pingdom, PagerDuty) into catalog YAML."""


import_group.add_command(pagerduty_command)


@import_group.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--team", required=True, callback=catalog_id, help="The team that owns the services made.")
@click.option("--platform", callback=catalog_id, help="The platform the services run on.")
@click.option(
    "--group-by",
    type=click.Choice(["check", "tag"]),
    default="check",
    show_default=True,
    help="One service per Pingdom check, or one per check's first Pingdom tag.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the YAML here.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@json_option
def pingdom(
    file: Path, team: str, platform: str | None, group_by: str, output: Path | None, force: bool, as_json: bool
) -> None:
    """Turn a Pingdom API 3.1 checks export (JSON; - reads standard input) into catalog YAML.

    Accepts the response of GET /api/3.1/checks, of GET /api/3.1/checks/ID, or a list of either. Writes
    the YAML to standard output or --output; each skipped check, note and secret to set is a line on
    standard error. Exits 1, writing nothing, when the export is not one Watchkeeper can read.
    """
    if output is not None and output.exists() and not force:
        fail(f"{output} exists: give --force to replace it")
    options = ImportOptions(team, platform, "check" if group_by == "check" else "tag", _source_name(file))
    try:
        result = import_pingdom(_read_json(file), options)
    except ExportInvalid as invalid:
        lines = [f"{file}: {problem}" for problem in invalid.problems]
        fail("\n".join([*lines, f"{invalid}; nothing was written"]))
    if output is not None:
        write_file(output, result.yaml, force)
    if as_json:
        emit_json(_summary(result, output))
        return
    if output is None:
        click.echo(result.yaml, nl=False)
    _report(result, output)


def _source_name(file: Path) -> str:
    return "standard input" if str(file) == "-" else file.name


def _read_json(file: Path) -> Any:
    where = "standard input" if str(file) == "-" else str(file)
    try:
        raw = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as error:
        fail(f"{where}: cannot read: {error.strerror or error}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        fail(f"{where}: not UTF-8 text ({error.reason} at byte {error.start}); a Pingdom export is JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"{where}:{error.lineno}:{error.colno}: not JSON: {error.msg}")
    except RecursionError:
        fail(f"{where}: not JSON Watchkeeper can read: nested too deeply")


def _report(result: PingdomImport, output: Path | None) -> None:
    where = f" into {output}" if output else ""
    total = len(result.imported) + len(result.skipped)
    click.echo(
        f"imported {len(result.imported)} of {counted(total, 'Pingdom check')} as "
        f"{counted(result.services, 'service')}{where}; {len(result.skipped)} skipped",
        err=True,
    )
    for skipped in result.skipped:
        click.echo(f"skipped: {skipped.line()}", err=True)
    for note in result.notes:
        click.echo(f"note: {note.line()}", err=True)
    for secret in result.secrets:
        held = f"its value is at {secret.location} in the export" if secret.in_export else "not in the export"
        click.echo(one_line(f"secret: set {secret.name} to {secret.what} ({held})"), err=True)


def _summary(result: PingdomImport, output: Path | None) -> dict[str, Any]:
    return {
        "output": str(output) if output else None,
        "services": result.services,
        "imported": [
            {"pingdom_id": i.pingdom_id, "name": i.name, "service": i.service, "checks": list(i.checks)}
            for i in result.imported
        ],
        "skipped": [
            {"pingdom_id": s.pingdom_id, "name": s.name, "type": s.kind, "location": s.location, "reason": s.reason}
            for s in result.skipped
        ],
        "notes": [{"pingdom_id": n.pingdom_id, "location": n.location, "message": n.message} for n in result.notes],
        "secrets": [
            {"name": s.name, "what": s.what, "location": s.location, "in_export": s.in_export} for s in result.secrets
        ],
        "catalog": result.yaml,
    }

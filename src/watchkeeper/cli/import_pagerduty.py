"""`watchkeeper import pagerduty`: saved PagerDuty REST API responses in, catalog teams out."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from watchkeeper.cli.import_files import catalog_id, write_file
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.importers.pagerduty import ImportOptions, Note, PagerDutyImport, TeamNeeded, import_pagerduty
from watchkeeper.importers.pagerduty.importer import counted
from watchkeeper.importers.problems import ExportInvalid


@click.command(name="pagerduty")
@click.argument("directory", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one catalog file per team (TEAM-ID.yaml) into this directory, made if missing.",
)
@click.option(
    "--team-id",
    callback=catalog_id,
    help="The team for what is in no PagerDuty team of the export (everything, without a GET /teams export).",
)
@click.option("--team-name", help="That team's name; by default made from its id.")
@click.option("--force", is_flag=True, help="Replace files in --out that exist.")
@json_option
def pagerduty(
    directory: Path, out: Path | None, team_id: str | None, team_name: str | None, force: bool, as_json: bool
) -> None:
    """Turn PagerDuty REST API v2 exports (the .json files in DIRECTORY, or one file) into catalog teams.

    Reads saved responses of GET /users (with include[]=contact_methods and include[]=notification_rules),
    GET /schedules/ID or GET /schedules, GET /escalation_policies and, to group by team, GET /teams. Writes
    every team to standard output, or one file per team with --out; each thing not carried over is a line on
    standard error. Exits 1, writing nothing, when a file is not an export Watchkeeper can read.
    """
    files = _read_files(directory)
    options = ImportOptions(datetime.now(UTC), team_id, team_name, directory.name or str(directory))
    try:
        result = import_pagerduty(files, options)
    except ExportInvalid as invalid:
        lines = [f"{_shown(directory, p.file)}: {p.location or '(top level)'}: {p.message}" for p in invalid.problems]
        fail("\n".join([*lines, f"{invalid}; nothing was written"]))
    except TeamNeeded as needed:
        raise click.UsageError(f"{needed}: give --team-id for the team they go to") from None
    if out is not None:
        _write_files(out, result.files, force)
    if as_json:
        emit_json(_summary(result, out))
        return
    if out is None:
        click.echo(result.yaml, nl=False)
    _report(result, out)


def _read_files(directory: Path) -> list[tuple[str, Any]]:
    """Every .json file (name relative to DIRECTORY, parsed), in name order; all unreadable files at once."""
    paths = sorted(p for p in directory.rglob("*.json") if p.is_file()) if directory.is_dir() else [directory]
    if not paths:
        fail(f"{directory}: no .json files: save the PagerDuty API's responses there")
    files, errors = [], []
    for path in paths:
        name = str(path.relative_to(directory)) if directory.is_dir() else path.name
        try:
            files.append((name, json.loads(path.read_bytes().decode("utf-8-sig"))))
        except OSError as error:
            errors.append(f"{path}: cannot read: {error.strerror or error}")
        except UnicodeDecodeError as error:
            errors.append(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); an export is JSON")
        except json.JSONDecodeError as error:
            errors.append(f"{path}:{error.lineno}:{error.colno}: not JSON: {error.msg}")
        except RecursionError:
            errors.append(f"{path}: not JSON Watchkeeper can read: nested too deeply")
    if errors:
        fail("\n".join([*errors, "nothing was written"]))
    return files


def _shown(directory: Path, name: str) -> str:
    return str(directory / name) if directory.is_dir() else str(directory)


def _write_files(out: Path, files: dict[str, str], force: bool) -> None:
    """All the files or, when one exists and --force is not given, none of them."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"{out}: cannot make the directory: {error.strerror or error}")
    existing = [str(out / name) for name in files if (out / name).exists()]
    if existing and not force:
        one = len(existing) == 1
        fail(f"{', '.join(existing)} exist{'s' if one else ''}: give --force to replace {'it' if one else 'them'}")
    for name, text in files.items():
        write_file(out / name, text, force)


def _report(result: PagerDutyImport, out: Path | None) -> None:
    people = sum(len(team.people) for team in result.teams)
    schedules = sum(len(team.schedules) for team in result.teams)
    policies = sum(len(team.escalation_policies) for team in result.teams)
    where = f" in {out}" if out else ""
    click.echo(
        f"imported {counted(people, 'person', 'people')}, {counted(schedules, 'schedule')} and "
        f"{counted(policies, 'escalation policy', 'escalation policies')} as "
        f"{counted(len(result.teams), 'team')}{where}; {len(result.skipped)} skipped",
        err=True,
    )
    for skipped in result.skipped:
        click.echo(f"skipped: {skipped.line()}", err=True)
    for note in result.notes:
        click.echo(f"note: {note.line()}", err=True)


def _summary(result: PagerDutyImport, out: Path | None) -> dict[str, Any]:
    return {
        "output": str(out) if out else None,
        "teams": [
            {
                "id": team.id,
                "name": team.name,
                "pagerduty_id": team.pagerduty_id,
                "file": str(out / team.file) if out else None,
                "people": _pairs(team.people),
                "schedules": _pairs(team.schedules),
                "escalation_policies": _pairs(team.escalation_policies),
            }
            for team in result.teams
        ],
        "skipped": [_note(note) for note in result.skipped],
        "notes": [_note(note) for note in result.notes],
        "catalog": result.yaml,
    }


def _pairs(made: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"id": ident, "pagerduty_id": pagerduty_id} for ident, pagerduty_id in made]


def _note(note: Note) -> dict[str, Any]:
    return {"location": note.location, "subject": note.subject, "message": note.message, "team": note.team}

"""`watchkeeper oncall now|shifts|gaps`: who is on call, and a schedule's shifts and gaps, from the database or
straight from catalog files. A mistake in what is asked (or in the catalog given) is one message and exit 2."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import click
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.services import oncall as service
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.oncall import OnCall, Roster, ScheduleShifts
from watchkeeper.services.refusals import Refused
from watchkeeper.settings import Settings
from watchkeeper.store import UnsupportedDatabase, database_url_for_driver

T = TypeVar("T")
MISTAKE = 2

catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(path_type=Path),
    help="Answer from these catalog files instead of the database (files hold no overrides).",
)


@click.group()
def oncall() -> None:
    """Who is on call, and when: from the database, or from catalog files with --catalog."""


@oncall.command()
@click.option("--team", help="Only this team's schedules.")
@click.option("--at", "at_text", help="An ISO 8601 time instead of now, such as 2026-03-29T09:30Z (UTC if no offset).")
@catalog_option
@json_option
def now(team: str | None, at_text: str | None, catalog_path: Path | None, as_json: bool) -> None:
    """Who each schedule puts on call now (or --at a time), and until when."""
    at = _instant(at_text, "--at") if at_text else SystemClock().now()
    answers = _answered(
        catalog_path,
        lambda roster: service.on_call_in(roster, team, at),
        lambda connection: service.now_on_call(connection, team, at),
    )
    if as_json:
        emit_json([answer.as_json() for answer in answers])
        return
    if not answers:
        click.echo(f"team {team} has no schedules" if team else "no schedules: load a catalog, or give --catalog")
    for answer in answers:
        _show_answer(answer)


@oncall.command()
@click.option("--schedule", "schedule_id", required=True, help="The schedule's id.")
@click.option("--from", "from_text", required=True, help="Start, ISO 8601 (UTC if no offset).")
@click.option("--to", "to_text", required=True, help="End, ISO 8601 (UTC if no offset); at most 366 days on.")
@catalog_option
@json_option
def shifts(schedule_id: str, from_text: str, to_text: str, catalog_path: Path | None, as_json: bool) -> None:
    """The shifts of one schedule between two times, and the gaps when nobody is on call."""
    start, end = _instant(from_text, "--from"), _instant(to_text, "--to")
    found = _schedule_shifts(catalog_path, schedule_id, start, end)
    if as_json:
        emit_json(found.as_json())
        return
    _show_heading(found)
    rows = [(s.start, s.end, f"{s.person.name} ({s.person.id}), {s.source}") for s in found.shifts]
    rows += [(start, end, "nobody on call") for start, end in found.gaps]
    for opens, closes, who in sorted(rows):
        click.echo(f"  {_local(opens, found.timezone)}  to  {_local(closes, found.timezone)}  {who}")


@oncall.command()
@click.option("--schedule", "schedule_id", required=True, help="The schedule's id.")
@click.option("--from", "from_text", help="Start, ISO 8601 (UTC if no offset); default now.")
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True, help="How many days to look at.")
@catalog_option
@json_option
def gaps(schedule_id: str, from_text: str | None, days: int, catalog_path: Path | None, as_json: bool) -> None:
    """The times in the next days (14 unless --days) when one schedule has nobody on call."""
    try:
        start, end = service.span_from(
            _instant(from_text, "--from") if from_text else SystemClock().now(), timedelta(days=days)
        )
    except Refused as refused:
        fail(refused.message, MISTAKE)
    found = _schedule_shifts(catalog_path, schedule_id, start, end)
    if as_json:
        emit_json({key: value for key, value in found.as_json().items() if key != "shifts"})
        return
    _show_heading(found)
    if not found.gaps:
        click.echo("  no gaps: someone is on call throughout")
    for opens, closes in found.gaps:
        click.echo(f"  {_local(opens, found.timezone)}  to  {_local(closes, found.timezone)}  nobody on call")


def _schedule_shifts(catalog_path: Path | None, schedule_id: str, start: datetime, end: datetime) -> ScheduleShifts:
    return _answered(
        catalog_path,
        lambda roster: service.shifts_in(roster, schedule_id, start, end),
        lambda connection: service.shifts_of(connection, schedule_id, start, end),
    )


# Where answers come from


def _answered(
    catalog_path: Path | None, from_files: Callable[[Roster], T], from_database: Callable[[Connection], T]
) -> T:
    try:
        if catalog_path is not None:
            return from_files(_roster(catalog_path))
        settings = Settings()
        _database_exists(settings.database_url)
        with migrated_database(settings) as (database, _revision), database.reading() as connection:
            return from_database(connection)
    except Refused as refused:
        fail(refused.message, MISTAKE)


def _roster(catalog_path: Path) -> Roster:
    try:
        catalog = load_catalog(catalog_path, check_secrets=False)
    except CatalogInvalid as invalid:
        fail(invalid.report(), MISTAKE)
    return service.roster_of(catalog, str(catalog_path))


def _database_exists(database_url: str) -> None:
    """Asking who is on call must not leave an empty SQLite file behind where none was."""
    try:
        url = database_url_for_driver(database_url)
    except UnsupportedDatabase as error:
        fail(str(error))
    path = make_url(url).database
    if url.startswith("sqlite") and path and path != ":memory:" and not Path(path).is_file():
        fail(f"there is no database at {path}: give --catalog PATH, or set WATCHKEEPER_DATABASE_URL")


# Text


def _instant(text: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"{option}: {text!r} is not a date and time; write it as 2026-03-29T09:30Z or 2026-03-29", MISTAKE)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _local(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%a %d %b %Y %H:%M} {local.isoformat()[-6:]}"


def _show_answer(answer: OnCall) -> None:
    title = f"{answer.team} / {answer.schedule}"
    if answer.person is None:
        who = "nobody on call"
        until = f" until {_local(answer.until, answer.timezone)}" if answer.until else " for a year or more"
    else:
        who = f"{answer.person.name} ({answer.person.id}) <{answer.person.email}>"
        until = f" until {_local(answer.until, answer.timezone)}" if answer.until else ", with no change for a year"
        until += f", {answer.source}"
    click.echo(f"{title}: {who}{until}  [{answer.timezone}]")


def _show_heading(found: ScheduleShifts) -> None:
    name = f" ({found.schedule_name})" if found.schedule_name else ""
    click.echo(f"{found.team} / {found.schedule}{name}, times in {found.timezone}:")

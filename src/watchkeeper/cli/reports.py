"""`watchkeeper reports on-call`: pages, out-of-hours pages and the times to acknowledge and resolve, per team and
per person, from the database (ADR 0037). A period or team that cannot be reported on is one message and exit 2."""

from collections.abc import Sequence

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.domain.oncall_reports import Spread
from watchkeeper.services import oncall_report_formats as formats
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.oncall_report_formats import KINDS, duration_text, kind_of
from watchkeeper.services.oncall_reports import OnCallReport, ReportRequest, on_call_report
from watchkeeper.services.refusals import Refused
from watchkeeper.settings import Settings

MISTAKE = 2


@click.group()
def reports() -> None:
    """Reports from what Watchkeeper has recorded."""


@reports.command("on-call")
@click.option("--team", help="Only this team's pages (its people are listed even without any).")
@click.option("--from", "first_day", help="First day, YYYY-MM-DD, in the organisation's timezone.")
@click.option("--to", "last_day", help="Last day, included; default today.")
@click.option("--quarter", help="A calendar quarter instead of days, such as 2026-Q4.")
@click.option(
    "--csv",
    "csv_kind",
    type=click.Choice(KINDS),
    is_flag=False,
    flag_value="teams",
    help="Print one table as CSV: teams (the default when no value is given) or people.",
)
@json_option
def on_call(
    team: str | None,
    first_day: str | None,
    last_day: str | None,
    quarter: str | None,
    csv_kind: str | None,
    as_json: bool,
) -> None:
    """Pages, out-of-hours pages, and the times to acknowledge and to resolve, per team and per person. The
    period is whole days in the organisation's timezone, by default the last 28 days."""
    asked = ReportRequest(team=team, first_day=first_day, last_day=last_day, quarter=quarter)
    with migrated_database(Settings()) as (database, _revision):
        try:
            report = on_call_report(database, asked, SystemClock().now())
        except Refused as refused:
            fail(refused.message, MISTAKE)
    kind = kind_of(csv_kind)
    if kind is not None:
        click.echo(formats.csv_text(report, kind), nl=False)
    elif as_json:
        emit_json(formats.as_json(report))
    else:
        _show(report)


def _show(report: OnCallReport) -> None:
    who = report.team_names.get(report.team_id, report.team_id) if report.team_id else "all teams"
    click.echo(f"On-call report: {who}, {report.period.label}; days in {report.period.timezone}")
    click.echo("\nTeams")
    teams = [
        (
            f.team_id,
            str(f.pages),
            str(f.out_of_hours),
            f"{f.acknowledged} of {f.pages}",
            _spread(f.to_acknowledge),
            f"{f.resolved} of {f.pages}",
            _spread(f.to_resolve),
        )
        for f in (row.figures for row in report.teams)
    ]
    _table(("team", "pages", "out of hours", "acknowledged", "to acknowledge", "resolved", "to resolve"), teams)
    click.echo("\nPeople")
    people = [
        (
            row.figures.person_id,
            row.name,
            str(row.figures.pages),
            str(row.figures.out_of_hours),
            _acknowledged(row.figures.acknowledged, row.figures.from_page_links),
            _spread(row.figures.to_acknowledge),
        )
        for row in report.people
    ]
    if people:
        _table(("person", "name", "pages", "out of hours", "acknowledged", "to acknowledge"), people)
    else:
        click.echo("  no page reached anyone")
    click.echo("\nTimes are mean / median / 90th percentile.")


def _acknowledged(count: int, by_link: int) -> str:
    return f"{count} ({by_link} by page link)" if by_link else str(count)


def _spread(spread: Spread) -> str:
    if not spread.count:
        return "-"
    return " / ".join(duration_text(value) for value in (spread.mean, spread.median, spread.p90))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(cells[i]) for cells in (header, *rows)) for i in range(len(header))]
    for cells in (header, *rows):
        click.echo("  " + "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip())

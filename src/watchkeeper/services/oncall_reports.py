"""On-call reports per team and per person: pages, out-of-hours pages, and the times to acknowledge and to
resolve, over whole days in the organisation's timezone (ADR 0037; the definitions are in
`domain.oncall_reports`). One read of a fixed number of queries, however many pages the period holds.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, RowMapping

from watchkeeper.domain import oncall_reports as figures
from watchkeeper.domain import report_periods as periods
from watchkeeper.domain.oncall_reports import Directory, Page, PersonFigures, Response, TeamFigures
from watchkeeper.domain.report_periods import PeriodProblem, ReportPeriod
from watchkeeper.domain.support_hours import SupportHours
from watchkeeper.services.refusals import Refused
from watchkeeper.services.support_hours import hours_of, organisation_of
from watchkeeper.store import Database
from watchkeeper.store import oncall_reports as store
from watchkeeper.store.oncall_reports import Scope

TEXT_LIMIT = 100
"""The longest team id, day or quarter a request may give: anything longer is not one."""


class ReportRefused(Refused):
    """A request that cannot be reported on (a 400), with the part of it to fix: team, from, to or quarter."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What a person asked for, as typed: every part optional (empty means not given)."""

    team: str | None = None
    first_day: str | None = None
    last_day: str | None = None
    quarter: str | None = None


@dataclass(frozen=True, slots=True)
class TeamRow:
    name: str
    figures: TeamFigures


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    team_id: str | None
    """Their team in the catalog; None for someone who has left it."""
    figures: PersonFigures


@dataclass(frozen=True, slots=True)
class OnCallReport:
    period: ReportPeriod
    team_id: str | None
    teams: list[TeamRow]
    people: list[PersonRow]
    hours: SupportHours
    team_names: dict[str, str]
    """Every team of the catalog, for choosing one."""
    today: date
    """Today in the organisation's timezone, when the report was made."""

    @property
    def hours_text(self) -> str:
        """The support day's hours, as the catalog writes them: `09:30–17:30`, `00:00–24:00`."""
        end = "24:00" if self.hours.end == time.max else f"{self.hours.end:%H:%M}"
        return f"{self.hours.start:%H:%M}–{end}"


def on_call_report(db: Database, asked: ReportRequest, now: datetime) -> OnCallReport:
    """The report asked for; raises ReportRefused (a 400) saying what is wrong with the request."""
    with db.reading() as connection:
        organisation = organisation_of(connection)
        today = now.astimezone(ZoneInfo(organisation.timezone)).date()
        period = choose_period(asked, today, organisation.timezone)
        team_id = _given(asked.team, "team")
        names = store.team_names(connection)
        scope = Scope(period.start, period.end, team_id)
        pages = _pages(connection, scope)
        if team_id is not None and team_id not in names and not pages:
            known = f"; teams: {', '.join(sorted(names))}" if names else ""
            raise ReportRefused(f"there is no team {team_id!r}{known}", "team")
        everyone = store.people(connection)
    hours = hours_of(organisation)
    people = figures.directory((p["id"], p["name"], p["email"]) for p in everyone)
    return OnCallReport(
        period=period,
        team_id=team_id,
        teams=_team_rows(names, team_id, pages, hours, people),
        people=_person_rows(everyone, team_id, pages, hours, people),
        hours=hours,
        team_names=names,
        today=today,
    )


def team_names(db: Database) -> dict[str, str]:
    """Every team of the catalog by id, for choosing one."""
    with db.reading() as connection:
        return store.team_names(connection)


def choose_period(asked: ReportRequest, today: date, timezone: str) -> ReportPeriod:
    """A quarter, or from a first day to a last day: without a last day, to today; without a first day, the
    28 days that end with the last day; with neither, the last 28 days."""
    quarter = _given(asked.quarter, "quarter")
    first, last = _given(asked.first_day, "from"), _given(asked.last_day, "to")
    try:
        if quarter is not None:
            if first is not None or last is not None:
                raise ReportRefused("give a quarter, or from and to, not both", "quarter")
            return periods.parse_quarter(quarter, timezone)
        last_day = periods.parse_day(last, "to") if last is not None else today
        if first is None:
            return periods.last_days(last_day, timezone)
        return periods.days_between(periods.parse_day(first, "from"), last_day, timezone)
    except PeriodProblem as problem:
        raise ReportRefused(str(problem), problem.field) from None


def _given(text: str | None, what: str) -> str | None:
    if text is None or not text.strip():
        return None
    if len(text) > TEXT_LIMIT:
        raise ReportRefused(f"{what} is longer than {TEXT_LIMIT} characters", what)
    if any(ord(c) < 32 or ord(c) == 127 for c in text):  # PostgreSQL refuses NUL in a text parameter
        raise ReportRefused(f"{what} has control characters", what)
    return text.strip()


def _pages(connection: Connection, scope: Scope) -> list[Page]:
    responses: dict[int, list[Response]] = {}
    for row in store.responses(connection, scope):
        responses.setdefault(row["escalation_id"], []).append(Response(row["at"], row["kind"], row["actor"]))
    reached: dict[int, list[tuple[str, datetime]]] = {}
    for row in store.reached(connection, scope):
        reached.setdefault(row["escalation_id"], []).append((row["person_id"], row["at"]))
    rows = store.escalations(connection, scope)
    return [_page(row, responses.get(row["id"], []), reached.get(row["id"], [])) for row in rows]


def _page(row: RowMapping, responses: list[Response], reached: list[tuple[str, datetime]]) -> Page:
    return Page(
        id=row["id"],
        team_id=row["team_id"],
        started_at=row["started_at"],
        alerts=row["alerts"],
        open_alerts=int(row["open_alerts"]),
        last_resolved_at=row["last_resolved_at"],
        responses=tuple(responses),
        reached=tuple(reached),
    )


def _team_rows(
    names: dict[str, str], team_id: str | None, pages: list[Page], hours: SupportHours, people: Directory
) -> list[TeamRow]:
    shown = [team_id] if team_id is not None else list(names)
    rows = figures.team_figures(shown, pages, hours, people)
    found = [TeamRow(names.get(row.team_id, row.team_id), row) for row in rows]
    return sorted(found, key=lambda r: (r.name.casefold(), r.figures.team_id))


def _person_rows(
    everyone: list[RowMapping], team_id: str | None, pages: list[Page], hours: SupportHours, people: Directory
) -> list[PersonRow]:
    """With a team, its members (none left out for having no pages) and anyone else its pages involved;
    without one, everyone a page reached or who acknowledged one."""
    members = [p["id"] for p in everyone if p["team_id"] == team_id] if team_id is not None else []
    catalog = {p["id"]: p for p in everyone}
    rows = []
    for row in figures.person_figures(members, pages, hours, people):
        known = catalog.get(row.person_id)
        rows.append(PersonRow(known["name"] if known else row.person_id, known["team_id"] if known else None, row))
    return sorted(rows, key=lambda r: (r.name.casefold(), r.figures.person_id))

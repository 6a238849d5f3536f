"""The console's home page for the signed-in person: their teams' open alerts, who is on call now for their teams
and the platform team, what is down (theirs first, then the platform's, then how many of others'), their own
next shifts and the latest pages to their inbox; for a platform admin, a line for every team as well.

"Their teams" are the teams the person is a member of; a platform admin's include the platform team, so they
see the platform's world as their own. A viewer with no team sees what is down and who is on call for the
platform, which is where anyone goes first when something breaks."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from watchkeeper.domain.access import Policy, Principal, Rule, Scope
from watchkeeper.services.oncall import OnCall, now_on_call, shifts_of
from watchkeeper.store import Database
from watchkeeper.store import overview as store
from watchkeeper.store import schedules as schedule_store
from watchkeeper.store.outages import Section, down_by_owner, in_trouble
from watchkeeper.store.overview import TeamRow

ALERTS_SHOWN = 50
DOWN_SHOWN = 50
SHIFTS_SHOWN = 5
PAGES_SHOWN = 5
SHIFTS_AHEAD = timedelta(days=14)
SHIFT_TAIL = timedelta(days=14)
"""How far past the fortnight shifts are worked out, so that one starting inside it shows its real end."""
ACTING = Policy(Rule.TEAM, Scope.ALERTS)


@dataclass(frozen=True)
class MyShift:
    schedule_id: str
    schedule_name: str
    team: str
    start: datetime
    end: datetime
    source: str
    """The layer's name, or "override"."""
    now: bool
    """Already begun."""


@dataclass(frozen=True)
class TeamLine:
    """One team in a platform admin's summary across teams."""

    team: TeamRow
    open_alerts: int
    down: int


@dataclass(frozen=True)
class Home:
    now: datetime
    teams: tuple[TeamRow, ...]
    """The person's teams (for a platform admin, with the platform team), by id."""
    unknown_teams: tuple[str, ...]
    """Teams the account names that the catalog in force no longer has."""
    platform: tuple[TeamRow, ...]
    """The platform team(s) when not among the person's teams."""
    alerts: list[dict[str, Any]]
    alerts_total: int
    actionable: frozenset[int]
    """Ids of the alerts the person may acknowledge and resolve."""
    on_call: list[OnCall]
    down_mine: Section
    down_platform: Section
    down_others: int
    person_id: str | None
    shifts: list[MyShift]
    pages: list[dict[str, Any]]
    summary: list[TeamLine]
    """Every team, for a platform admin; empty for anyone else."""

    @property
    def team_ids(self) -> list[str]:
        return [team.id for team in self.teams]

    @property
    def live_summary(self) -> str:
        """What a screen reader hears when the page's lists change."""
        alerts = f"{self.alerts_total} open {'alert' if self.alerts_total == 1 else 'alerts'}"
        down = self.down_mine.total + self.down_platform.total
        checks = f"{down} {'check' if down == 1 else 'checks'} down"
        return f"{alerts}, {checks}" if self.teams else checks


def home_for(db: Database, who: Principal, now: datetime) -> Home:
    with db.reading() as connection:
        every = store.teams(connection)
        known = {team.id: team for team in every}
        platform_ids = {team.id for team in every if team.platform_team}
        mine_ids = set(who.member_of) | (platform_ids if who.platform_admin else set())
        mine = tuple(known[team] for team in sorted(mine_ids) if team in known)
        platform = tuple(known[team] for team in sorted(platform_ids - mine_ids))
        counts = store.open_alerts_by_team(connection)
        down_counts = down_by_owner(connection)
        alerts = [dict(row) for row in store.open_alerts(connection, [t.id for t in mine], ALERTS_SHOWN)]
        down_mine = _down(connection, mine)
        down_platform = _down(connection, platform)
        on_call = [answer for team in (*mine, *platform) for answer in now_on_call(connection, team.id, now)]
        shifts = _shifts(connection, who.person_id, now) if who.person_id else []
        pages = [dict(row) for row in store.pages_to(connection, who.person_id, PAGES_SHOWN)] if who.person_id else []
    shown = {team.id for team in (*mine, *platform)}
    return Home(
        now=now,
        teams=mine,
        unknown_teams=tuple(sorted(mine_ids - set(known))),
        platform=platform,
        alerts=alerts,
        alerts_total=sum(counts.get(team.id, 0) for team in mine),
        actionable=frozenset(a["id"] for a in alerts if who.may(ACTING, a["team_id"])),
        on_call=on_call,
        down_mine=down_mine,
        down_platform=down_platform,
        down_others=sum(count for team, count in down_counts.items() if team not in shown),
        person_id=who.person_id,
        shifts=shifts,
        pages=pages,
        summary=[TeamLine(team, counts.get(team.id, 0), down_counts.get(team.id, 0)) for team in every]
        if who.platform_admin
        else [],
    )


def _down(connection: Connection, owners: tuple[TeamRow, ...]) -> Section:
    if not owners:
        return Section([], 0, 0)
    return in_trouble(connection, "down", DOWN_SHOWN, [team.id for team in owners])


def _shifts(connection: Connection, person_id: str, now: datetime) -> list[MyShift]:
    """The person's shifts over the fortnight ahead, from every schedule that may put them on call: those whose
    layers name them and those with an override that does. Back-to-back shifts of one schedule are one."""
    covered = store.schedules_covered_by(connection, person_id, now)
    found: list[MyShift] = []
    for stored in schedule_store.schedules(connection):
        schedule = stored.schedule
        named = any(person_id in layer.rotation for layer in schedule.layers)
        if not named and schedule.id not in covered:
            continue
        answer = shifts_of(connection, schedule.id, now, now + SHIFTS_AHEAD + SHIFT_TAIL)
        title = answer.schedule_name or answer.schedule
        for shift in answer.shifts:
            if shift.person.id != person_id or shift.start >= now + SHIFTS_AHEAD:
                continue
            if found and found[-1].schedule_id == schedule.id and found[-1].end == shift.start:
                found[-1] = replace(found[-1], end=shift.end)
                continue
            begun = shift.start <= now
            found.append(MyShift(schedule.id, title, stored.team_id, shift.start, shift.end, shift.source, begun))
    return sorted(found, key=lambda shift: (shift.start, shift.schedule_id))[:SHIFTS_SHOWN]

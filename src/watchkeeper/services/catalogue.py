"""Read the catalog in force back out of the database, for the console and the API."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from watchkeeper.domain.state import CheckState
from watchkeeper.store import Database
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class CheckView:
    id: str
    type: str
    name: str | None
    interval_seconds: float
    severity: str
    paused: bool
    origin: str
    subject_kind: str
    subject_id: str
    spec: dict[str, Any]
    status: str = "unknown"
    """up, down, or unknown before its first result."""
    last_reason: str | None = None
    flapping: bool = False


@dataclass(frozen=True)
class PersonView:
    id: str
    name: str
    email: str
    team_id: str
    origin: str


@dataclass(frozen=True)
class TeamView:
    id: str
    name: str
    platform_team: bool
    capacity_managed_by: str
    origin: str
    people: list[PersonView] = field(default_factory=list)


@dataclass(frozen=True)
class SubjectView:
    """A service or a platform."""

    kind: str
    id: str
    name: str
    owner_team_id: str
    owner_name: str
    origin: str
    spec: dict[str, Any]
    platform_id: str | None = None
    depends_on: list[str] = field(default_factory=list)
    checks: list[CheckView] = field(default_factory=list)


@dataclass(frozen=True)
class Catalogue:
    teams: list[TeamView]
    platforms: list[SubjectView]
    services: list[SubjectView]

    def team(self, team_id: str) -> TeamView | None:
        return next((team for team in self.teams if team.id == team_id), None)

    def service(self, service_id: str) -> SubjectView | None:
        return next((s for s in self.services if s.id == service_id), None)

    def platform(self, platform_id: str) -> SubjectView | None:
        return next((p for p in self.platforms if p.id == platform_id), None)

    def checks(self) -> list[CheckView]:
        return [check for subject in (*self.platforms, *self.services) for check in subject.checks]


def read_catalogue(db: Database) -> Catalogue:
    with db.reading() as connection:
        return _read(connection)


def _read(connection: Connection) -> Catalogue:
    people: dict[str, list[PersonView]] = defaultdict(list)
    for row in connection.execute(select(t.people).order_by(t.people.c.name)).mappings():
        people[row["team_id"]].append(PersonView(row["id"], row["name"], row["email"], row["team_id"], row["origin"]))
    teams = [
        TeamView(r["id"], r["name"], r["platform_team"], r["capacity_managed_by"], r["origin"], people[r["id"]])
        for r in connection.execute(select(t.teams).order_by(t.teams.c.name)).mappings()
    ]
    names = {team.id: team.name for team in teams}
    checks: dict[tuple[str, str], list[CheckView]] = defaultdict(list)
    query = (
        select(t.checks, t.check_states.c.status, t.check_states.c.last_reason, t.check_states.c.recent)
        .outerjoin(t.check_states, t.check_states.c.check_id == t.checks.c.id)
        .order_by(t.checks.c.id)
    )
    for r in connection.execute(query).mappings():
        kind, subject = ("service", r["service_id"]) if r["service_id"] else ("platform", r["platform_id"])
        checks[(kind, subject)].append(
            CheckView(
                r["id"],
                r["type"],
                r["name"],
                r["interval_seconds"],
                r["severity"],
                r["paused"],
                r["origin"],
                kind,
                subject,
                r["spec"],
                r["status"] or "unknown",
                r["last_reason"],
                _flapping(r["recent"]),
            )
        )
    platforms = _subjects(connection, "platform", names, checks)
    services = _subjects(connection, "service", names, checks)
    return Catalogue(teams, platforms, services)


def _flapping(recent: str | None) -> bool:
    return CheckState(recent=tuple(flag == "1" for flag in recent or "")).flapping


def _subjects(
    connection: Connection, kind: str, team_names: dict[str, str], checks: dict[tuple[str, str], list[CheckView]]
) -> list[SubjectView]:
    """Platforms or services, each with its owner's name, its dependencies and its checks."""
    table = t.platforms if kind == "platform" else t.services
    dependencies_table = t.platform_dependencies if kind == "platform" else t.service_dependencies
    dependencies: dict[str, list[str]] = defaultdict(list)
    for row in connection.execute(select(dependencies_table).order_by(dependencies_table.c.depends_on_id)).mappings():
        dependencies[row[f"{kind}_id"]].append(row["depends_on_id"])
    return [
        SubjectView(
            kind=kind,
            id=r["id"],
            name=r["name"],
            owner_team_id=r["owner_team_id"],
            owner_name=team_names.get(r["owner_team_id"], r["owner_team_id"]),
            origin=r["origin"],
            spec=r["spec"],
            platform_id=r.get("platform_id"),
            depends_on=dependencies[r["id"]],
            checks=checks[(kind, r["id"])],
        )
        for r in connection.execute(select(table).order_by(table.c.name)).mappings()
    ]

"""Reads of one service or platform for its console page: the subject with its owner, what it depends on,
what runs on it, and its checks with their current state. Each function is one query."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Table, func, select

from watchkeeper.store import tables as t

Kind = Literal["service", "platform"]


@dataclass(frozen=True)
class Owner:
    team_id: str
    name: str
    platform_team: bool


OWNER_COLUMNS = (t.teams.c.id, t.teams.c.name, t.teams.c.platform_team)
"""What an Owner is read from, in the order of its fields, by a query joined to the owning team."""


@dataclass(frozen=True)
class SubjectRow:
    kind: Kind
    id: str
    name: str
    owner: Owner
    origin: str
    spec: dict[str, Any]
    platform_id: str | None = None
    platform_name: str | None = None


@dataclass(frozen=True)
class Related:
    """Another service or platform named on a page, with its owner."""

    id: str
    name: str
    owner: Owner


@dataclass(frozen=True)
class CheckRow:
    """A check and its current state; the state fields are None before its first result."""

    id: str
    type: str
    name: str | None
    interval_seconds: float
    severity: str
    paused: bool
    status: str
    since: datetime | None
    failures: int
    recent: str
    last_at: datetime | None
    last_ok: bool | None
    last_reason: str | None
    last_total_ms: float | None


def _table(kind: Kind) -> Table:
    return t.services if kind == "service" else t.platforms


def find_subject(connection: Connection, kind: Kind, subject_id: str) -> SubjectRow | None:
    table = _table(kind)
    columns = [table.c.id, table.c.name, table.c.origin, table.c.spec, *OWNER_COLUMNS]
    query = select(*columns).join(t.teams, t.teams.c.id == table.c.owner_team_id).where(table.c.id == subject_id)
    if kind == "service":
        platforms = t.platforms
        query = query.add_columns(platforms.c.id, platforms.c.name).outerjoin(
            platforms, platforms.c.id == t.services.c.platform_id
        )
    row = connection.execute(query).first()
    if row is None:
        return None
    values = tuple(row)
    platform = values[7:9] if kind == "service" else (None, None)
    return SubjectRow(kind, values[0], values[1], Owner(*values[4:7]), values[2], values[3], *platform)


def depends_on(connection: Connection, kind: Kind, subject_id: str) -> list[Related]:
    """What this subject depends on, by name."""
    table = _table(kind)
    links = t.service_dependencies if kind == "service" else t.platform_dependencies
    query = (
        select(table.c.id, table.c.name, *OWNER_COLUMNS)
        .join(links, links.c.depends_on_id == table.c.id)
        .join(t.teams, t.teams.c.id == table.c.owner_team_id)
        .where(links.c[f"{kind}_id"] == subject_id)
        .order_by(table.c.name)
    )
    return [_related(tuple(row)) for row in connection.execute(query)]


def services_on(connection: Connection, platform_id: str) -> list[Related]:
    """The services that run on a platform, with their teams: who is affected when it fails."""
    services = t.services
    query = (
        select(services.c.id, services.c.name, *OWNER_COLUMNS)
        .join(t.teams, t.teams.c.id == services.c.owner_team_id)
        .where(services.c.platform_id == platform_id)
        .order_by(services.c.name)
    )
    return [_related(tuple(row)) for row in connection.execute(query)]


def _related(values: tuple[Any, ...]) -> Related:
    return Related(values[0], values[1], Owner(*values[2:5]))


def service_counts(connection: Connection, platform_ids: list[str]) -> dict[str, int]:
    """How many services run on each of these platforms."""
    if not platform_ids:
        return {}
    services = t.services
    query = (
        select(services.c.platform_id, func.count())
        .where(services.c.platform_id.in_(platform_ids))
        .group_by(services.c.platform_id)
    )
    return {str(platform_id): int(total) for platform_id, total in connection.execute(query)}


def checks_with_state(connection: Connection, kind: Kind, subject_id: str) -> list[CheckRow]:
    checks, states = t.checks, t.check_states
    owner_column = checks.c.service_id if kind == "service" else checks.c.platform_id
    query = (
        select(
            checks.c.id,
            checks.c.type,
            checks.c.name,
            checks.c.interval_seconds,
            checks.c.severity,
            checks.c.paused,
            states.c.status,
            states.c.since,
            states.c.failures,
            states.c.recent,
            states.c.last_at,
            states.c.last_ok,
            states.c.last_reason,
            states.c.last_timings,
        )
        .outerjoin(states, states.c.check_id == checks.c.id)
        .where(owner_column == subject_id)
        .order_by(checks.c.id)
    )
    return [_check_row(tuple(row)) for row in connection.execute(query)]


def _check_row(values: tuple[Any, ...]) -> CheckRow:
    check_id, type_, name, interval, severity, paused = values[:6]
    status, since, failures, recent, last_at, last_ok, last_reason, timings = values[6:]
    total = (timings or {}).get("total")
    return CheckRow(
        check_id,
        type_,
        name,
        interval,
        severity,
        paused,
        status=status or "unknown",
        since=since,
        failures=failures or 0,
        recent=recent or "",
        last_at=last_at,
        last_ok=last_ok,
        last_reason=last_reason,
        last_total_ms=float(total) if isinstance(total, int | float) else None,
    )

"""Which checks are in trouble now (down, flapping, failing, or passing with a warning), read from
`check_states` alone (never from results), one query a section.

With a hundred thousand checks the state table is the only thing small enough to scan on each page view;
each section returns at most `limit` rows and the total it would have had.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, and_, case, func, not_, or_, select

from watchkeeper.domain.state import FLAP_CHANGES, CheckState
from watchkeeper.store import tables as t
from watchkeeper.store.subjects import OWNER_COLUMNS, Owner

Trouble = Literal["down", "flapping", "failing", "warning"]
SEVERITY_ORDER = {"page": 0, "ticket": 1, "info": 2}


@dataclass(frozen=True)
class TroubleRow:
    check_id: str
    check_name: str | None
    check_type: str
    severity: str
    status: str
    since: datetime | None
    failures: int
    recent: str
    last_at: datetime | None
    last_ok: bool | None
    last_reason: str | None
    subject_kind: Literal["service", "platform"]
    subject_id: str
    subject_name: str
    platform_id: str | None
    """The platform a service runs on (for a platform's own check, the platform itself)."""
    owner: Owner

    @property
    def flapping(self) -> bool:
        return CheckState(recent=tuple(flag == "1" for flag in self.recent)).flapping


@dataclass(frozen=True)
class Section:
    rows: list[TroubleRow]
    total: int
    """How many rows there would be without the limit."""
    platform_total: int
    """How many of those are platforms' checks."""


def flap_patterns() -> tuple[str, str]:
    """LIKE patterns that match exactly the `recent` strings the state machine calls flapping.

    Flapping is at least FLAP_CHANGES changes between pass ("1") and fail ("0"), that is, at least
    FLAP_CHANGES + 1 runs; a string has that many runs exactly when it holds the alternating sequence
    0,1,0,1... or 1,0,1,0... of that length as a subsequence, which is what `%0%1%0%` says to LIKE.
    So the database filters a hundred thousand states without handing them to Python.
    """
    runs = FLAP_CHANGES + 1
    zero, one = ("%" + "%".join(_alternating(first, runs)) + "%" for first in "01")
    return zero, one


def _alternating(first: str, length: int) -> str:
    other = "1" if first == "0" else "0"
    return "".join(first if i % 2 == 0 else other for i in range(length))


def _flapping() -> ColumnElement[bool]:
    zero, one = flap_patterns()
    return or_(t.check_states.c.recent.like(zero), t.check_states.c.recent.like(one))


def _condition(which: Trouble) -> ColumnElement[bool]:
    states = t.check_states
    down = states.c.status == "down"
    if which == "down":
        return down
    if which == "flapping":
        return and_(not_(down), _flapping())
    if which == "warning":  # passing, but near a limit: a certificate inside its warning mark
        return and_(not_(down), states.c.failures == 0, states.c.last_warning.is_(True), not_(_flapping()))
    return and_(not_(down), states.c.failures > 0, not_(_flapping()))


def _order(which: Trouble) -> list[Any]:
    states, checks = t.check_states, t.checks
    severity = case(SEVERITY_ORDER, value=checks.c.severity, else_=len(SEVERITY_ORDER))
    if which == "down":
        return [severity, states.c.since, checks.c.id]  # the most urgent first, then the longest down
    return [severity, states.c.last_at.desc(), checks.c.id]


def _owner_id() -> ColumnElement[str]:
    return func.coalesce(t.services.c.owner_team_id, t.platforms.c.owner_team_id)


def in_trouble(connection: Connection, which: Trouble, limit: int, owners: Collection[str] | None = None) -> Section:
    """The section's rows, of checks owned by `owners` only when given (the home page's "yours")."""
    states, checks, services, platforms, teams = t.check_states, t.checks, t.services, t.platforms, t.teams
    owner_id = _owner_id()
    query = (
        select(
            checks.c.id,
            checks.c.name,
            checks.c.type,
            checks.c.severity,
            states.c.status,
            states.c.since,
            states.c.failures,
            states.c.recent,
            states.c.last_at,
            states.c.last_ok,
            states.c.last_reason,
            services.c.id,
            services.c.name,
            services.c.platform_id,
            platforms.c.id,
            platforms.c.name,
            *OWNER_COLUMNS,
            func.count().over().label("total"),
            func.count(platforms.c.id).over().label("platform_total"),
        )
        .select_from(states)
        .join(checks, checks.c.id == states.c.check_id)  # states of checks no longer in the catalog drop out
        .outerjoin(services, services.c.id == checks.c.service_id)
        .outerjoin(platforms, platforms.c.id == checks.c.platform_id)
        .join(teams, teams.c.id == owner_id)
        .where(_condition(which), not_(checks.c.paused))
        .order_by(*_order(which))
        .limit(limit)
    )
    if owners is not None:
        query = query.where(owner_id.in_(sorted(owners)))
    rows = [tuple(row) for row in connection.execute(query)]
    total, platform_total = rows[0][-2:] if rows else (0, 0)
    return Section([_row(values) for values in rows], total, platform_total)


def _row(values: tuple[Any, ...]) -> TroubleRow:
    (check_id, name, type_, severity, status, since, failures, recent, last_at, last_ok, reason) = values[:11]
    service_id, service_name, service_platform, platform_id, platform_name = values[11:16]
    owner = Owner(*values[16:19])
    if service_id is not None:
        subject: tuple[Literal["service", "platform"], str, str, str | None] = (
            "service",
            service_id,
            service_name,
            service_platform,
        )
    else:
        subject = ("platform", platform_id, platform_name, platform_id)
    return TroubleRow(
        check_id, name, type_, severity, status, since, failures, recent, last_at, last_ok, reason, *subject, owner
    )


def down_by_owner(connection: Connection) -> dict[str, int]:
    """How many unpaused checks each team has confirmed DOWN, counted as the down section counts them."""
    states, checks, services, platforms = t.check_states, t.checks, t.services, t.platforms
    owner_id = _owner_id()
    query = (
        select(owner_id, func.count())
        .select_from(states)
        .join(checks, checks.c.id == states.c.check_id)
        .outerjoin(services, services.c.id == checks.c.service_id)
        .outerjoin(platforms, platforms.c.id == checks.c.platform_id)
        .where(_condition("down"), not_(checks.c.paused), owner_id.is_not(None))
        .group_by(owner_id)
    )
    return {str(team): int(count) for team, count in connection.execute(query)}

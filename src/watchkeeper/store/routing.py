"""What routing reads from the loaded catalog: a team's routes, policies and channels, the organisation, and who
depends on what. Specs are read back through the catalog's own models, so they mean what the catalog meant."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Table, func, select

from watchkeeper.catalog.organisation import Organisation
from watchkeeper.catalog.teams import EscalationPolicy, Route
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class TeamRouting:
    routes: tuple[Route, ...]
    policies: dict[str, EscalationPolicy]
    channels: dict[str, str]
    """Channel id -> type."""


def catalog_version(connection: Connection) -> int:
    """Changes whenever a catalog load applies, so what is read from it can be kept until then."""
    query = select(func.max(t.catalog_loads.c.id)).where(t.catalog_loads.c.outcome == "applied")
    return int(connection.execute(query).scalar() or 0)


def team_routing(connection: Connection, team_id: str) -> TeamRouting:
    routes = connection.execute(
        select(t.routes.c.spec).where(t.routes.c.team_id == team_id).order_by(t.routes.c.position)
    ).scalars()
    policies = connection.execute(
        select(t.escalation_policies.c.spec).where(t.escalation_policies.c.team_id == team_id)
    ).scalars()
    channels = connection.execute(select(t.channels.c.id, t.channels.c.type).where(t.channels.c.team_id == team_id))
    return TeamRouting(
        routes=tuple(Route.model_validate(spec, strict=False) for spec in routes),
        policies={
            policy.id: policy for policy in (EscalationPolicy.model_validate(spec, strict=False) for spec in policies)
        },
        channels={row.id: row.type for row in channels},
    )


def organisation(connection: Connection) -> Organisation:
    spec = connection.execute(select(t.organisation.c.spec)).scalar()
    return Organisation() if spec is None else Organisation.model_validate(spec, strict=False)


def channel_types(connection: Connection, channel_ids: Iterable[str]) -> dict[str, str]:
    ids = list(channel_ids)
    if not ids:
        return {}
    rows = connection.execute(select(t.channels.c.id, t.channels.c.type).where(t.channels.c.id.in_(ids)))
    return {row.id: row.type for row in rows}


def platforms_below(connection: Connection, platform_id: str) -> list[str]:
    """The platforms `platform_id` depends on, directly or not, nearest first."""
    return _closure(connection, t.platform_dependencies, t.platform_dependencies.c.platform_id, [platform_id])


def services_below(connection: Connection, service_id: str) -> list[str]:
    """The services `service_id` depends on, directly or not, nearest first."""
    return _closure(connection, t.service_dependencies, t.service_dependencies.c.service_id, [service_id])


def platform_of(connection: Connection, service_id: str) -> str | None:
    return connection.execute(select(t.services.c.platform_id).where(t.services.c.id == service_id)).scalar()


def _closure(connection: Connection, table: Table, column: Column[str], start: list[str]) -> list[str]:
    seen: list[str] = []
    frontier = start
    while frontier:
        rows = connection.execute(select(table.c.depends_on_id).where(column.in_(frontier))).scalars()
        frontier = [found for found in dict.fromkeys(rows) if found not in seen and found not in start]
        seen.extend(frontier)
    return seen


def names(
    connection: Connection, service_ids: Iterable[str], platform_ids: Iterable[str], check_ids: Iterable[str]
) -> dict[str, str]:
    """Display names by "service:<id>", "platform:<id>" and "check:<id>"."""
    found: dict[str, str] = {}
    for kind, table, ids in (
        ("service", t.services, service_ids),
        ("platform", t.platforms, platform_ids),
        ("check", t.checks, check_ids),
    ):
        wanted = [i for i in set(ids) if i]
        if wanted:
            rows = connection.execute(select(table.c.id, table.c.name).where(table.c.id.in_(wanted)))
            found |= {f"{kind}:{row.id}": row.name or row.id for row in rows}
    return found

"""Write a validated catalog into the catalog tables in one transaction: all of it or none of it.

Rows from files (origin 'file') that the catalog no longer has are deleted, changed ones updated in place (so
state kept elsewhere under the same id, such as a check's results, survives), new ones inserted. Rows created
through the API (origin 'api') are left alone; a file object whose id an API object already has is refused.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, insert, select, text, tuple_, update
from sqlalchemy.exc import IntegrityError

from watchkeeper.catalog import Catalog
from watchkeeper.catalog.services import Watched
from watchkeeper.domain import emails
from watchkeeper.store import tables as t

SYNC_LOCK = 7_347_002
Row = dict[str, Any]


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass
class SyncResult:
    tables: dict[str, SyncCounts] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.tables.values())

    def totals(self) -> dict[str, int]:
        return {
            "created": sum(c.created for c in self.tables.values()),
            "updated": sum(c.updated for c in self.tables.values()),
            "deleted": sum(c.deleted for c in self.tables.values()),
        }


class SyncRefused(Exception):
    """The catalog is valid but cannot replace what the database holds; nothing was written."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def apply_catalog(connection: Connection, catalog: Catalog, now: datetime) -> SyncResult:
    """Make the file-origin rows equal to `catalog`. Call inside a transaction; raises SyncRefused."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK})
    wanted = desired_rows(catalog)
    plans = {table.name: _plan(connection, table, wanted[table.name]) for table in t.CATALOG_TABLES}
    conflicts = [reason for plan in plans.values() for reason in plan.conflicts]
    if conflicts:
        raise SyncRefused(conflicts)
    result = SyncResult()
    try:
        for table in reversed(t.CATALOG_TABLES):  # children first, so foreign keys hold
            _delete(connection, table, plans[table.name].to_delete)
        for table in t.CATALOG_TABLES:  # parents first
            plan = plans[table.name]
            _write(connection, table, plan, now)
            result.tables[table.name] = SyncCounts(
                len(plan.to_insert), len(plan.to_update), len(plan.to_delete), plan.unchanged
            )
    except IntegrityError as error:
        detail = _constraint(error)
        if "foreign key" in detail.lower():
            reason = f"objects created through the API still refer to something this catalog removes ({detail})"
        else:
            reason = f"the database refused the catalog ({detail})"
        raise SyncRefused([reason]) from None
    return result


def _constraint(error: IntegrityError) -> str:
    return str(error.orig).splitlines()[0] if error.orig else "a foreign key"


@dataclass
class _Plan:
    to_insert: list[Row] = field(default_factory=list)
    to_update: list[Row] = field(default_factory=list)
    to_delete: list[tuple[Any, ...]] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def _key_columns(table: Table) -> list[str]:
    return [column.name for column in table.primary_key.columns]


def _compared_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name not in ("created_at", "updated_at")]


def _plan(connection: Connection, table: Table, wanted: list[Row]) -> _Plan:
    keys = _key_columns(table)
    compared = _compared_columns(table)
    existing = {
        tuple(row[k] for k in keys): row
        for row in connection.execute(select(*(table.c[c] for c in compared))).mappings()
    }
    plan = _Plan()
    wanted_keys = set()
    for row in wanted:
        key = tuple(row[k] for k in keys)
        wanted_keys.add(key)
        current = existing.get(key)
        if current is None:
            plan.to_insert.append(row)
        elif current["origin"] != "file":
            plan.conflicts.append(
                f"{table.name} {'/'.join(map(str, key))} was created through the API; "
                "delete it there before the catalog can define it"
            )
        elif any(current[c] != row[c] for c in compared):
            plan.to_update.append(row)
        else:
            plan.unchanged += 1
    plan.to_delete = [key for key, row in existing.items() if row["origin"] == "file" and key not in wanted_keys]
    return plan


def _delete(connection: Connection, table: Table, keys: list[tuple[Any, ...]]) -> None:
    columns = [table.c[k] for k in _key_columns(table)]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        condition = columns[0].in_([k[0] for k in chunk]) if len(columns) == 1 else tuple_(*columns).in_(chunk)
        connection.execute(delete(table).where(condition))


def _write(connection: Connection, table: Table, plan: _Plan, now: datetime) -> None:
    stamped = "updated_at" in table.c
    if plan.to_insert:
        rows = [{**row, "created_at": now, "updated_at": now} if stamped else row for row in plan.to_insert]
        connection.execute(insert(table), rows)
    for row in plan.to_update:
        keys = _key_columns(table)
        where = and_(*(table.c[k] == row[k] for k in keys))
        values = {c: v for c, v in row.items() if c not in keys}
        connection.execute(update(table).where(where).values(**values, **({"updated_at": now} if stamped else {})))


def _dump(model: Any, *exclude: str) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude=set(exclude))
    return dumped


def desired_rows(catalog: Catalog) -> dict[str, list[Row]]:
    """Every catalog table's rows for this catalog, keyed by table name."""
    rows: dict[str, list[Row]] = {table.name: [] for table in t.CATALOG_TABLES}
    org = catalog.organisation
    rows["organisation"].append(
        {"id": 1, "name": org.name, "timezone": org.timezone, "origin": "file", "spec": _dump(org)}
    )
    for source in catalog.data_sources:
        rows["data_sources"].append({"id": source.id, "type": source.type, "origin": "file", "spec": _dump(source)})
    _team_rows(catalog, rows)
    for kind, subjects in (("platform", catalog.platforms), ("service", catalog.services)):
        for subject in subjects:
            _subject_rows(kind, subject, rows)
    for page in catalog.status_pages:
        rows["status_pages"].append(
            {"id": page.id, "title": page.title, "public": page.public, "origin": "file", "spec": _dump(page)}
        )
    return rows


def _team_rows(catalog: Catalog, rows: dict[str, list[Row]]) -> None:
    children = ("people", "channels", "schedules", "escalation_policies", "routes", "integrations")
    for team in catalog.teams:
        rows["teams"].append(
            {
                "id": team.id,
                "name": team.name,
                "platform_team": team.platform_team,
                "capacity_managed_by": team.capacity_managed_by,
                "origin": "file",
                "spec": _dump(team, *children),
            }
        )
        common = {"team_id": team.id, "origin": "file"}
        for person in team.people:
            rows["people"].append(
                {
                    **common,
                    "id": person.id,
                    "name": person.name,
                    "email": person.email,
                    "email_key": emails.fold(person.email),
                    "phone": person.phone,
                    "timezone": person.timezone,
                    "spec": _dump(person),
                }
            )
        for channel in team.channels:
            rows["channels"].append({**common, "id": channel.id, "type": channel.type, "spec": _dump(channel)})
        for schedule in team.schedules:
            rows["schedules"].append(
                {
                    **common,
                    "id": schedule.id,
                    "name": schedule.name,
                    "timezone": schedule.timezone,
                    "spec": _dump(schedule),
                }
            )
        for policy in team.escalation_policies:
            rows["escalation_policies"].append({**common, "id": policy.id, "name": policy.name, "spec": _dump(policy)})
        for position, route in enumerate(team.routes):
            rows["routes"].append({**common, "position": position, "spec": _dump(route)})
        for integration in team.integrations:
            rows["integrations"].append(
                {
                    **common,
                    "id": integration.id,
                    "type": integration.type,
                    "name": integration.name,
                    "spec": _dump(integration),
                }
            )


def _subject_rows(kind: str, subject: Watched, rows: dict[str, list[Row]]) -> None:
    table = f"{kind}s"
    row: Row = {
        "id": subject.id,
        "name": subject.name,
        "owner_team_id": subject.owner,
        "origin": "file",
        "spec": _dump(subject, "checks", "maintenance", "service_levels", "capacity", "depends_on"),
    }
    if kind == "service":
        row["platform_id"] = getattr(subject, "platform", None)
    rows[table].append(row)
    for dependency in subject.depends_on:
        rows[f"{kind}_dependencies"].append({f"{kind}_id": subject.id, "depends_on_id": dependency, "origin": "file"})
    owner = {
        "service_id": subject.id if kind == "service" else None,
        "platform_id": subject.id if kind == "platform" else None,
    }
    for check in subject.checks:
        rows["checks"].append(
            {
                **owner,
                "id": check.id,
                "type": check.type,
                "name": check.name,
                "interval_seconds": check.interval.total_seconds(),
                "severity": check.severity,
                "paused": check.paused,
                "origin": "file",
                "spec": _dump(check),
            }
        )
    for window in subject.maintenance:
        rows["maintenance_windows"].append(
            {**owner, "id": window.id, "name": window.name, "origin": "file", "spec": _dump(window)}
        )
    for level in getattr(subject, "service_levels", []):
        rows["service_levels"].append(
            {
                "id": level.id,
                "service_id": subject.id,
                "name": level.name,
                "objective": level.objective,
                "origin": "file",
                "spec": _dump(level),
            }
        )
    for signal in getattr(getattr(subject, "capacity", None), "signals", []):
        rows["capacity_signals"].append(
            {
                "service_id": subject.id,
                "id": signal.id,
                "name": signal.name,
                "limit_value": signal.limit,
                "origin": "file",
                "spec": _dump(signal),
            }
        )

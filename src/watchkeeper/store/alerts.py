"""Alerts and their events: the open alert for a key, new alerts, changes, and the timeline."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from watchkeeper.domain.alerts import Alert, Link, Signal
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class Owner:
    """Who answers for an alert's subject when it is raised."""

    team_id: str
    service_id: str | None = None
    platform_id: str | None = None


def alert_from_row(row: RowMapping) -> Alert:
    return Alert(
        id=row["id"],
        dedup_key=row["dedup_key"],
        status=row["status"],
        severity=row["severity"],
        summary=row["summary"],
        occurrences=row["occurrences"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        acknowledged_at=row["acknowledged_at"],
        resolved_at=row["resolved_at"],
    )


def find_open(connection: Connection, dedup_key: str) -> RowMapping | None:
    """The open alert with this key, locked until the transaction ends (on PostgreSQL; SQLite has one writer at
    a time), so two signals for one alert apply one after the other and neither undoes the other's change."""
    query = select(t.alerts).where(t.alerts.c.dedup_key == dedup_key, t.alerts.c.status != "resolved")
    return connection.execute(query.with_for_update()).mappings().first()


def find_open_many(connection: Connection, dedup_keys: set[str]) -> list[RowMapping]:
    """The open alerts with these keys, locked in id order (so two batches never wait on each other in a
    circle) until the transaction ends."""
    if not dedup_keys:
        return []
    a = t.alerts
    query = select(a).where(a.c.dedup_key.in_(sorted(dedup_keys)), a.c.status != "resolved").order_by(a.c.id)
    return list(connection.execute(query.with_for_update()).mappings())


def get(connection: Connection, alert_id: int) -> RowMapping | None:
    return connection.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).mappings().first()


def new_alert(alert: Alert, signal: Signal, owner: Owner) -> dict[str, Any]:
    """The columns of a new alert, before where it goes is decided."""
    return {
        "dedup_key": alert.dedup_key,
        "source": signal.source,
        "integration_id": signal.integration_id,
        "subject_kind": signal.subject.kind,
        "subject_id": signal.subject.id,
        "team_id": owner.team_id,
        "service_id": owner.service_id,
        "platform_id": owner.platform_id,
        "severity": alert.severity,
        "status": alert.status,
        "summary": alert.summary,
        "details": signal.details,
        "links": [_link(link) for link in signal.links],
        "labels": signal.labels,
        "occurrences": alert.occurrences,
        "created_at": alert.created_at,
        "updated_at": alert.updated_at,
    }


def insert_alert(connection: Connection, values: Mapping[str, Any]) -> int:
    """Stores a new alert; returns its id."""
    # Values as parameters, not in the statement: the statement is then compiled once and cached.
    result = connection.execute(insert(t.alerts).returning(t.alerts.c.id), dict(values))
    return int(result.scalar_one())


def change(connection: Connection, alert_id: int, **values: Any) -> None:
    connection.execute(update(t.alerts).where(t.alerts.c.id == alert_id).values(**values))


def add_event(
    connection: Connection,
    alert_id: int,
    at: datetime,
    kind: str,
    message: str,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    values = {"alert_id": alert_id, "at": at, "kind": kind, "message": message, "actor": actor, "data": data}
    connection.execute(insert(t.alert_events), values)


def add_events(
    connection: Connection, alert_id: int, at: datetime, events: Sequence[tuple[str, str, str | None]]
) -> None:
    """Several (kind, message, actor) events at once, in order."""
    rows = [
        {"alert_id": alert_id, "at": at, "kind": kind, "message": message, "actor": actor, "data": None}
        for kind, message, actor in events
    ]
    connection.execute(insert(t.alert_events), rows)


def add_event_rows(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Events of several alerts in one statement, in order."""
    if rows:
        connection.execute(insert(t.alert_events), [dict(row) for row in rows])


def events(connection: Connection, alert_id: int) -> list[RowMapping]:
    query = select(t.alert_events).where(t.alert_events.c.alert_id == alert_id).order_by(t.alert_events.c.id)
    return list(connection.execute(query).mappings())


def _link(link: Link) -> dict[str, str]:
    return {"href": link.href, "text": link.text}


def owner_of_check(connection: Connection, check_id: str) -> Owner | None:
    row = connection.execute(
        select(t.checks.c.service_id, t.checks.c.platform_id).where(t.checks.c.id == check_id)
    ).first()
    if row is None:
        return None
    if row.service_id is not None:
        return owner_of_service(connection, row.service_id)
    return owner_of_platform(connection, row.platform_id)


def owner_of_service(connection: Connection, service_id: str) -> Owner | None:
    row = connection.execute(
        select(t.services.c.owner_team_id, t.services.c.platform_id).where(t.services.c.id == service_id)
    ).first()
    return None if row is None else Owner(row.owner_team_id, service_id=service_id, platform_id=row.platform_id)


def owner_of_platform(connection: Connection, platform_id: str) -> Owner | None:
    row = connection.execute(select(t.platforms.c.owner_team_id).where(t.platforms.c.id == platform_id)).first()
    return None if row is None else Owner(row.owner_team_id, platform_id=platform_id)


def team_exists(connection: Connection, team_id: str) -> bool:
    return connection.execute(select(t.teams.c.id).where(t.teams.c.id == team_id)).first() is not None

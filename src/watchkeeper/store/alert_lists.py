"""Alerts as the API lists them: newest first, filtered by status, owner, subject, severity, source and time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import paged, rows_page

_a = t.alerts.c


@dataclass(frozen=True)
class AlertFilter:
    statuses: tuple[str, ...]
    team: str | None = None
    service: str | None = None
    platform: str | None = None
    check: str | None = None
    severity: str | None = None
    source: str | None = None
    since: datetime | None = None
    """Raised at or after."""
    until: datetime | None = None
    """Raised before."""


def alerts(connection: Connection, given: AlertFilter, after: Key | None, limit: int) -> Page[RowMapping]:
    query = select(t.alerts).where(_a.status.in_(given.statuses))
    equal = {
        _a.team_id: given.team,
        _a.service_id: given.service,
        _a.platform_id: given.platform,
        _a.severity: given.severity,
        _a.source: given.source,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(column == value)
    if given.check is not None:
        query = query.where(_a.subject_kind == "check", _a.subject_id == given.check)
    if given.since is not None:
        query = query.where(_a.created_at >= given.since)
    if given.until is not None:
        query = query.where(_a.created_at < given.until)
    found = connection.execute(paged(query, [(_a.created_at, True), (_a.id, True)], after, limit)).mappings().all()
    return rows_page(found, limit, lambda row: (row["created_at"], row["id"]))

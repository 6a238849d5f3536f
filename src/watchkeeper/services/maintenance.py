"""Maintenance windows as people see and make them: the catalog's with their next occurrence, and one-off
windows created at runtime through the API, the CLI and the console, their scope checked against the catalog."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.domain.keyset import Key, Page, page_of
from watchkeeper.domain.maintenance import Occurrence, Window, next_start, occurrence_at
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.ownership import require_member
from watchkeeper.services.periods import checked_period
from watchkeeper.services.refusals import Conflict, NotFound, Refused, person_text
from watchkeeper.services.suppression import RUNTIME_PREFIX, catalog_window
from watchkeeper.store import Database
from watchkeeper.store import maintenance as store
from watchkeeper.store.maintenance import Listing, ScopeKind

SCOPE_KINDS: tuple[ScopeKind, ...] = ("checks", "services", "platforms")
SCOPE_LIMIT = 500
"""Ids in one window's scope."""


@dataclass(frozen=True)
class CatalogWindowView:
    id: str
    name: str
    subject_kind: str
    """service or platform: whose `maintenance:` it is in."""
    subject_id: str
    recurrence: str | None
    timezone: str
    duration: timedelta
    announce: bool
    current: Occurrence | None
    """The occurrence on now, if any."""
    upcoming: Occurrence | None
    """The next occurrence to start."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            self.subject_kind: self.subject_id,
            "recurrence": self.recurrence,
            "timezone": self.timezone,
            "duration_seconds": self.duration.total_seconds(),
            "announce": self.announce,
            "active": self.current is not None,
            "current": _span(self.current),
            "next": _span(self.upcoming),
        }


@dataclass(frozen=True)
class RuntimeWindowView:
    id: int
    name: str
    scope: dict[str, list[str]]
    starts_at: datetime
    ends_at: datetime
    announce: bool
    author: str
    created_at: datetime
    cancelled_at: datetime | None
    cancelled_by: str | None
    state: str
    """scheduled, active, ended or cancelled."""

    @property
    def key(self) -> str:
        return f"{RUNTIME_PREFIX}{self.id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "scope": self.scope,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "announce": self.announce,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
            "cancelled_by": self.cancelled_by,
            "state": self.state,
        }


@dataclass(frozen=True)
class NewWindow:
    name: str
    checks: Sequence[str] = ()
    services: Sequence[str] = ()
    platforms: Sequence[str] = ()
    starts_at: datetime | None = None
    """Now, when not given."""
    ends_at: datetime | None = None
    duration: timedelta | None = None
    announce: bool = False


@dataclass(frozen=True)
class MaintenanceOverview:
    catalog: list[CatalogWindowView]
    runtime: list[RuntimeWindowView]
    ended: list[RuntimeWindowView] = field(default_factory=list)


def create_window(db: Database, now: datetime, new: NewWindow, actor: Actor) -> RuntimeWindowView:
    """A team member's window covers only what their team owns."""
    name = person_text(new.name, "name", 200)
    author = person_text(actor.name, "author", 200)
    starts_at, ends_at = checked_period(now, new.starts_at, new.ends_at, new.duration)
    scope: dict[str, list[str]] = {kind: list(dict.fromkeys(getattr(new, kind))) for kind in SCOPE_KINDS}
    if not any(scope.values()):
        raise Refused("say what the window covers: one or more checks, services or platforms")
    if sum(len(ids) for ids in scope.values()) > SCOPE_LIMIT:
        raise Refused(f"a window covers at most {SCOPE_LIMIT} checks, services and platforms")
    for kind in SCOPE_KINDS:
        malformed = [found for found in scope[kind] if not is_valid_id(found)]
        if malformed:  # before any query: PostgreSQL refuses a NUL, and no id has one
            raise Refused(f"{malformed[0][:63]!r} is not a {kind[:-1]} id: lower-case letters, digits, '-' and '_'")
    with db.transaction() as connection:
        for kind in SCOPE_KINDS:
            missing = store.missing_from_catalog(connection, kind, scope[kind])
            if missing:
                singular = kind[:-1]
                raise Refused(f"no {singular} {', '.join(repr(m) for m in missing)} in the catalog")
        teams = store.owners(connection, scope)
        require_member(actor, teams, "what the window covers")
        window_id = store.add(connection, name, scope, starts_at, ends_at, author, now, announce=new.announce)
        row = store.get(connection, window_id)
        assert row is not None
        made = runtime_view(row, now)
        obj = ("maintenance", str(window_id))
        record(connection, actor, now, "maintenance.create", obj, _one(teams), after=made.as_json())
    return made


def _one(teams: set[str | None]) -> str | None:
    """The team an audit entry is filed under: the owner, when one team owns everything."""
    return next(iter(teams)) if len(teams) == 1 else None


def overview(db: Database, now: datetime, ended_limit: int = 20) -> MaintenanceOverview:
    with db.reading() as connection:
        catalog_rows = store.catalog_windows(connection)
        current = store.listed(connection, now, "current")
        ended = store.listed(connection, now, "ended", limit=ended_limit)
    catalog = [view for view in (_catalog_view(row, now) for row in catalog_rows) if view is not None]
    return MaintenanceOverview(
        catalog, [runtime_view(row, now) for row in current], [runtime_view(row, now) for row in ended]
    )


def list_runtime(db: Database, now: datetime, which: Listing = "current") -> list[RuntimeWindowView]:
    with db.reading() as connection:
        return [runtime_view(row, now) for row in store.listed(connection, now, which)]


def runtime_page(db: Database, now: datetime, which: Listing, after: Key | None, limit: int) -> Page[RuntimeWindowView]:
    with db.reading() as connection:
        found = store.page(connection, now, which, after, limit)
    return Page([runtime_view(row, now) for row in found.items], found.next)


def catalog_page(
    db: Database, now: datetime, subject: tuple[str, str] | None, after: Key | None, limit: int
) -> Page[CatalogWindowView]:
    """The catalog's windows in order of id; `subject` (service or platform, and its id) keeps that one's."""
    chosen = [
        view for view in _catalog_views(db, now) if subject is None or (view.subject_kind, view.subject_id) == subject
    ]
    return page_of(chosen, lambda view: (view.id,), after, limit)


def catalog_window_view(db: Database, now: datetime, window_id: str) -> CatalogWindowView:
    found = next((view for view in _catalog_views(db, now) if view.id == window_id), None)
    if found is None:
        raise NotFound(f"no maintenance window '{window_id}' in the catalog")
    return found


def _catalog_views(db: Database, now: datetime) -> list[CatalogWindowView]:
    with db.reading() as connection:
        rows = store.catalog_windows(connection)
    return [view for view in (_catalog_view(row, now) for row in rows) if view is not None]


def get_window(db: Database, now: datetime, window_id: int) -> RuntimeWindowView:
    with db.reading() as connection:
        row = store.get(connection, window_id)
    if row is None:
        raise NotFound(f"no runtime maintenance window {window_id}")
    return runtime_view(row, now)


def cancel_window(db: Database, now: datetime, window_id: int, actor: Actor) -> RuntimeWindowView:
    who = person_text(actor.name, "the name of who cancels it", 200)
    with db.transaction() as connection:
        found = store.get(connection, window_id)
        if found is None:
            raise NotFound(f"no runtime maintenance window {window_id}")
        teams = store.owners(connection, found["scope"])
        require_member(actor, teams, f"maintenance window {window_id}")
        if not store.cancel(connection, window_id, now, who):
            raise Conflict(f"maintenance window {window_id} has already ended")
        row = store.get(connection, window_id)
        assert row is not None
        after = runtime_view(row, now)
        before = runtime_view(found, now).as_json()
        obj = ("maintenance", str(window_id))
        record(connection, actor, now, "maintenance.cancel", obj, _one(teams), before, after.as_json())
    return after


def runtime_view(row: RowMapping, now: datetime) -> RuntimeWindowView:
    return RuntimeWindowView(
        id=row["id"],
        name=row["name"],
        scope={kind: list(row["scope"].get(kind, [])) for kind in SCOPE_KINDS},
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        announce=row["announce"],
        author=row["author"],
        created_at=row["created_at"],
        cancelled_at=row["cancelled_at"],
        cancelled_by=row["cancelled_by"],
        state=_runtime_state(row, now),
    )


def _runtime_state(row: RowMapping, now: datetime) -> str:
    cancelled = row["cancelled_at"]
    if cancelled is not None and cancelled <= now:
        return "cancelled"
    if now >= row["ends_at"]:
        return "ended"
    return "active" if now >= row["starts_at"] else "scheduled"


def _catalog_view(row: RowMapping, now: datetime) -> CatalogWindowView | None:
    window: Window | None = catalog_window(row)
    if window is None:
        return None
    kind, subject = ("service", row["service_id"]) if row["service_id"] else ("platform", row["platform_id"])
    return CatalogWindowView(
        id=window.id,
        name=window.name,
        subject_kind=kind,
        subject_id=subject,
        recurrence=window.recurrence,
        timezone=window.timezone,
        duration=window.duration,
        announce=window.announce,
        current=occurrence_at(window, now),
        upcoming=next_start(window, now),
    )


def _span(occurrence: Occurrence | None) -> dict[str, str] | None:
    if occurrence is None:
        return None
    return {"starts_at": occurrence.starts_at.isoformat(), "ends_at": occurrence.ends_at.isoformat()}

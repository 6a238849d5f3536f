"""Maintenance windows: the catalog's, with their next occurrence, and one-off windows created at runtime with
a scope the catalog must hold; cancel ends one early (or before it starts)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from watchkeeper.catalog.types import ID_PATTERN
from watchkeeper.services import maintenance
from watchkeeper.services.audit import Actor
from watchkeeper.services.maintenance import NewWindow, RuntimeWindowView
from watchkeeper.web.access import Reader, SuppressionWriter
from watchkeeper.web.api.fields import ObjectId, PlatformFilter, ServiceFilter
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt, duration_of
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["maintenance"])
WindowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
WINDOWS = {
    "current": Listing("maintenance:current", (datetime, int)),
    "ended": Listing("maintenance:ended", (datetime, int)),
    "all": Listing("maintenance:all", (int,)),
}
CATALOG = Listing("maintenance-catalog", (str,))
Ids = list[Annotated[str, StringConstraints(pattern=ID_PATTERN)]]


class ScopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checks: Ids = Field(default_factory=list, max_length=500)
    services: Ids = Field(default_factory=list, max_length=500)
    platforms: Ids = Field(default_factory=list, max_length=500)


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=1000)
    scope: ScopeIn
    starts_at: datetime | None = Field(default=None, description="with a UTC offset; now when left out")
    ends_at: datetime | None = Field(default=None, description="with a UTC offset; or give a duration")
    duration: str | None = Field(default=None, max_length=40, description="such as 2h; or give ends_at")
    announce: bool = False


class WindowOut(BaseModel):
    id: int
    key: str
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


class OccurrenceOut(BaseModel):
    starts_at: datetime
    ends_at: datetime


class CatalogWindowOut(BaseModel):
    id: str
    name: str
    service: str | None = None
    platform: str | None = None
    recurrence: str | None = Field(description="an RFC 5545 RRULE; null for a single occurrence")
    timezone: str
    duration_seconds: float
    announce: bool
    active: bool
    current: OccurrenceOut | None = Field(description="the occurrence on now")
    next: OccurrenceOut | None = Field(description="the next occurrence to start")


class WindowList(ListOf[WindowOut]):
    pass


class CatalogWindowList(ListOf[CatalogWindowOut]):
    pass


def _out(view: RuntimeWindowView) -> WindowOut:
    return WindowOut(**{**view.__dict__, "key": view.key})


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.post(
    "/maintenance",
    status_code=201,
    responses={400: {"description": "a value that is wrong (a scope not in the catalog, a period), and why"}},
)
async def create_window(request: Request, who: SuppressionWriter, body: WindowIn, response: Response) -> WindowOut:
    context = _context(request)
    new = NewWindow(
        name=body.name,
        checks=body.scope.checks,
        services=body.scope.services,
        platforms=body.scope.platforms,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        duration=duration_of(body.duration),
        announce=body.announce,
    )
    made = await attempt(maintenance.create_window, context.db, context.clock.now(), new, Actor(who, "api"))
    response.headers["Location"] = f"/api/v1/maintenance/{made.id}"
    return _out(made)


@router.get("/maintenance", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_windows(
    request: Request,
    response: Response,
    who: Reader,
    state: Annotated[
        Literal["current", "ended", "all"],
        Query(description="current: on or scheduled, soonest to start first; ended: latest to end first"),
    ] = "current",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> WindowList:
    """Windows made at runtime (through the API, the console or the command); `all` is newest first. The
    catalog's recurring windows are at /api/v1/maintenance/catalog."""
    context = _context(request)
    listing = WINDOWS[state]
    now = context.clock.now()
    page = await attempt(maintenance.runtime_page, context.db, now, state, listing.after(cursor), limit)
    return WindowList(items=[_out(w) for w in page.items], next=listing.next_of(request, response, page))


@router.get("/maintenance/catalog", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_catalog_windows(
    request: Request,
    response: Response,
    who: Reader,
    service: ServiceFilter = None,
    platform: PlatformFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CatalogWindowList:
    """The catalog's windows in order of id, each with the occurrence on now and the next one. They come from
    catalog files: change them there."""
    if service is not None and platform is not None:
        message = "give service or platform, not both: a window belongs to one"
        raise Problem(400, "Bad request", message, errors=[{"location": "query.platform", "message": message}])
    context = _context(request)
    subject = ("service", service) if service else (("platform", platform) if platform else None)
    now = context.clock.now()
    page = await attempt(maintenance.catalog_page, context.db, now, subject, CATALOG.after(cursor), limit)
    items = [CatalogWindowOut.model_validate(w.as_json()) for w in page.items]
    return CatalogWindowList(items=items, next=CATALOG.next_of(request, response, page))


@router.get("/maintenance/catalog/{window_id}", responses={404: {"description": "no such window in the catalog"}})
async def get_catalog_window(request: Request, who: Reader, window_id: ObjectId) -> CatalogWindowOut:
    context = _context(request)
    found = await attempt(maintenance.catalog_window_view, context.db, context.clock.now(), window_id)
    return CatalogWindowOut.model_validate(found.as_json())


@router.get("/maintenance/{window_id}", responses={404: {"description": "no such runtime window"}})
async def get_window(request: Request, who: Reader, window_id: WindowId) -> WindowOut:
    context = _context(request)
    return _out(await attempt(maintenance.get_window, context.db, context.clock.now(), window_id))


@router.post(
    "/maintenance/{window_id}/cancel",
    responses={404: {"description": "no such runtime window"}, 409: {"description": "already ended"}},
)
async def cancel_window(request: Request, who: SuppressionWriter, window_id: WindowId) -> WindowOut:
    context = _context(request)
    actor = Actor(who, "api")
    return _out(await attempt(maintenance.cancel_window, context.db, context.clock.now(), window_id, actor))

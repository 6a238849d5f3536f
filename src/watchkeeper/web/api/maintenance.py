"""Maintenance windows: the catalog's, with their next occurrence, and one-off windows created at runtime with
a scope the catalog must hold; cancel ends one early (or before it starts)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from watchkeeper.catalog.types import ID_PATTERN
from watchkeeper.services import maintenance
from watchkeeper.services.audit import Actor
from watchkeeper.services.maintenance import NewWindow, RuntimeWindowView
from watchkeeper.web.access import Reader, SuppressionWriter
from watchkeeper.web.api.refusals import attempt, duration_of
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["maintenance"])
WindowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
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


class MaintenanceOut(BaseModel):
    catalog: list[dict[str, Any]]
    runtime: list[WindowOut]


def _out(view: RuntimeWindowView) -> WindowOut:
    return WindowOut(**{**view.__dict__, "key": view.key})


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.post("/maintenance", status_code=201, responses={400: {"description": "a value that is wrong, and why"}})
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


@router.get("/maintenance")
async def list_windows(
    request: Request,
    who: Reader,
    state: Annotated[
        Literal["current", "ended", "all"], Query(description="which runtime windows: current = on or scheduled")
    ] = "current",
) -> MaintenanceOut:
    context = _context(request)
    now = context.clock.now()
    seen = await attempt(maintenance.overview, context.db, now)
    runtime = seen.runtime if state == "current" else await attempt(maintenance.list_runtime, context.db, now, state)
    return MaintenanceOut(catalog=[w.as_json() for w in seen.catalog], runtime=[_out(w) for w in runtime])


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

"""Overrides, swaps and covers of a schedule: create and list under the schedule, read and remove by id.

A value that is wrong (a person not in the catalog, `replaces` outside the rotations, an end in the past, an
instant not in that person's shift) is a 400 saying which and why; an unknown schedule or override is a 404; a
body of the wrong shape is a 422 from validation, as elsewhere in the API.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.catalog.types import ID_PATTERN
from watchkeeper.services import overrides, swaps
from watchkeeper.services.audit import Actor
from watchkeeper.services.overrides import NewOverride, OverrideView
from watchkeeper.services.swaps import Cover, ShiftAt, Swap
from watchkeeper.store.overrides import Listing as Listed
from watchkeeper.store.overrides import OverrideFilter
from watchkeeper.web.access import OnCallWriter, Reader
from watchkeeper.web.api.fields import TeamFilter
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt, duration_of
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["overrides"])
ScheduleId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
OverrideId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OVERRIDES: dict[Listed, Listing] = {
    "current": Listing("overrides:current", (datetime, int)),
    "all": Listing("overrides:all", (int,)),
}
PersonId = Annotated[str, Field(max_length=63)]
Reason = Annotated[str, Field(default="", max_length=10_000)]


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: PersonId = Field(description="who is on call instead: any person of the catalog")
    replaces: PersonId | None = Field(default=None, description="whose turns they take; leave out for all")
    starts_at: datetime | None = Field(default=None, description="with a UTC offset; now when left out")
    ends_at: datetime | None = Field(default=None, description="with a UTC offset; or give a duration")
    duration: str | None = Field(default=None, max_length=40, description="such as 8h or 2d; or give ends_at")
    reason: Reason


class ShiftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: PersonId
    at: datetime = Field(description="an instant within that person's shift, with a UTC offset")


class SwapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shifts: tuple[ShiftIn, ShiftIn] = Field(description="the two shifts to exchange")
    reason: Reason


class CoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person: PersonId = Field(description="who takes the shift: any person of the catalog")
    shift: ShiftIn = Field(description="the shift taken")
    starts_at: datetime | None = Field(default=None, description="within the shift; its start when left out")
    ends_at: datetime | None = Field(default=None, description="within the shift; its end when left out")
    reason: Reason


class OverrideOut(BaseModel):
    id: int
    schedule: str
    person: str
    person_name: str | None
    replaces: str | None
    replaces_name: str | None
    starts_at: datetime
    ends_at: datetime
    kind: str
    swap_with: int | None
    author: str
    reason: str
    created_at: datetime
    removed_at: datetime | None
    removed_by: str | None
    state: str
    applied: bool


def _out(view: OverrideView) -> OverrideOut:
    return OverrideOut.model_validate(view.as_json())


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


BAD: dict[int | str, dict[str, Any]] = {
    400: {"description": "a value that is wrong, and why"},
    404: {"description": "no such schedule"},
}


@router.post("/schedules/{schedule_id}/overrides", status_code=201, responses=BAD)
async def create_override(
    request: Request, who: OnCallWriter, schedule_id: ScheduleId, body: OverrideIn, response: Response
) -> OverrideOut:
    context = _context(request)
    new = NewOverride(
        schedule_id=schedule_id,
        person=body.person,
        reason=body.reason,
        replaces=body.replaces,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        duration=duration_of(body.duration),
    )
    made = await attempt(overrides.create_override, context.db, context.clock.now(), new, Actor(who, "api"))
    response.headers["Location"] = f"/api/v1/overrides/{made.id}"
    return _out(made)


class OverrideList(ListOf[OverrideOut]):
    pass


State = Annotated[
    Literal["current", "all"],
    Query(description="current: on now or starting later, soonest first; all: every one, newest first"),
]


@router.get(
    "/schedules/{schedule_id}/overrides",
    responses={
        400: {"description": "a cursor that is not one of this list's"},
        404: {"description": "no such schedule"},
    },
)
async def list_schedule_overrides(
    request: Request,
    response: Response,
    who: Reader,
    schedule_id: ScheduleId,
    state: State = "current",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> OverrideList:
    """One schedule's overrides, swaps and covers."""
    return await _listed(request, response, state, OverrideFilter(schedule_id=schedule_id), limit, cursor)


@router.get("/overrides", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_overrides(
    request: Request,
    response: Response,
    who: Reader,
    state: State = "current",
    schedule: Annotated[str | None, Query(pattern=ID_PATTERN, description="only this schedule's")] = None,
    person: Annotated[str | None, Query(pattern=ID_PATTERN, description="who covers, or whose turns are taken")] = None,
    team: TeamFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> OverrideList:
    """Overrides, swaps and covers of every schedule; `team` keeps those of the team's schedules."""
    given = OverrideFilter(schedule, person, team)
    return await _listed(request, response, state, given, limit, cursor, known=False)


async def _listed(
    request: Request,
    response: Response,
    state: Listed,
    given: OverrideFilter,
    limit: int,
    cursor: str | None,
    known: bool = True,
) -> OverrideList:
    context = _context(request)
    listing = OVERRIDES[state]
    now = context.clock.now()
    after = listing.after(cursor)
    page = await attempt(overrides.override_page, context.db, now, state, given, after, limit, known)
    return OverrideList(items=[_out(view) for view in page.items], next=listing.next_of(request, response, page))


@router.post("/schedules/{schedule_id}/swaps", status_code=201, responses=BAD)
async def swap_shifts(request: Request, who: OnCallWriter, schedule_id: ScheduleId, body: SwapIn) -> list[OverrideOut]:
    context = _context(request)
    first, second = (ShiftAt(shift.person, shift.at) for shift in body.shifts)
    made = Swap(schedule_id, first, second, body.reason)
    pair = await attempt(swaps.swap_shifts, context.db, context.clock.now(), made, Actor(who, "api"))
    return [_out(view) for view in pair]


@router.post("/schedules/{schedule_id}/covers", status_code=201, responses=BAD)
async def cover_shift(
    request: Request, who: OnCallWriter, schedule_id: ScheduleId, body: CoverIn, response: Response
) -> OverrideOut:
    context = _context(request)
    shift = ShiftAt(body.shift.person, body.shift.at)
    made = Cover(schedule_id, body.person, shift, body.reason, body.starts_at, body.ends_at)
    override = await attempt(swaps.cover_shift, context.db, context.clock.now(), made, Actor(who, "api"))
    response.headers["Location"] = f"/api/v1/overrides/{override.id}"
    return _out(override)


@router.get("/overrides/{override_id}", responses={404: {"description": "no such override"}})
async def get_override(request: Request, who: Reader, override_id: OverrideId) -> OverrideOut:
    context = _context(request)
    return _out(await attempt(overrides.get_override, context.db, context.clock.now(), override_id))


@router.delete(
    "/overrides/{override_id}",
    responses={
        400: {"description": "who removes it is not a name"},
        404: {"description": "no such override"},
        409: {"description": "already ended"},
    },
)
async def remove_override(
    request: Request,
    who: OnCallWriter,
    override_id: OverrideId,
) -> list[OverrideOut]:
    """Ends the override now; a swap's other half ends with it. Both are answered, as they are now."""
    context = _context(request)
    actor = Actor(who, "api")
    ended = await attempt(overrides.remove_override, context.db, context.clock.now(), override_id, actor)
    return [_out(view) for view in ended]

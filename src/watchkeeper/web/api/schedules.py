"""On-call schedules as the catalog defines them: layers, rotations, turns and restrictions. Who is on call, and
a schedule's shifts, are answered by web.api.oncall; overrides by web.api.overrides."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.services import catalog_reads
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ObjectId, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt

router = APIRouter(prefix="/api/v1", tags=["on-call"])
SCHEDULES = Listing("schedules", (str,))


class RestrictionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    days: list[str]
    from_: str = Field(alias="from", description="local time, HH:MM")
    to: str = Field(description="local time; at or before `from` ends the next day")


class LayerOut(BaseModel):
    name: str | None
    start: str = Field(description="the first handover, local time in the schedule's timezone")
    rotation: list[str] = Field(description="people's ids, in turn")
    turn: str = Field(description="as the catalog writes a duration, such as 1w")
    restrict: list[RestrictionOut] = Field(description="when the layer applies; always when empty")


class ScheduleOut(BaseModel):
    id: str
    team: str
    name: str | None
    timezone: str
    layers: list[LayerOut] = Field(description="lowest first: a higher layer wins where it applies")
    origin: str


class ScheduleList(ListOf[ScheduleOut]):
    pass


@router.get("/schedules", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_schedules(
    request: Request, response: Response, who: Reader, team: TeamFilter = None, limit: Limit = 50, cursor: Cursor = None
) -> ScheduleList:
    """Schedules in order of id."""
    page = await attempt(catalog_reads.schedules, context_of(request).db, team, SCHEDULES.after(cursor), limit)
    items = [ScheduleOut.model_validate(found) for found in page.items]
    return ScheduleList(items=items, next=SCHEDULES.next_of(request, response, page))


@router.get("/schedules/{schedule_id}", responses={404: {"description": "no such schedule"}})
async def get_schedule(request: Request, who: Reader, schedule_id: ObjectId) -> ScheduleOut:
    return ScheduleOut.model_validate(await attempt(catalog_reads.schedule, context_of(request).db, schedule_id))

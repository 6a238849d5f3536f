"""Who is on call, and a schedule's shifts and gaps: read-only answers from the database (ADR 0031).

Instants come back with the offset of the schedule's timezone. A time given without an offset is UTC. An
unknown team or schedule is a 404; a range that ends before it starts or lasts over 366 days is a 400; a
value that does not parse as a time is a 422 from validation, as elsewhere in the API.
"""

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.catalog.types import ID_PATTERN
from watchkeeper.domain.keyset import page_of
from watchkeeper.services import oncall
from watchkeeper.services.oncall import Contact, OnCall, ScheduleShifts
from watchkeeper.store import Database
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ID_TEXT
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf, utc
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["on-call"])
ON_CALL = Listing("oncall", (str, str))
DEFAULT_SPAN = timedelta(days=14)
ScheduleId = Annotated[str, Path(pattern=ID_PATTERN, description=ID_TEXT)]
From = Annotated[datetime | None, Query(alias="from", description="with a UTC offset (UTC if none); default now")]
To = Annotated[
    datetime | None, Query(alias="to", description="with a UTC offset (UTC if none); default 14 days after from")
]


class PersonOut(BaseModel):
    id: str
    name: str
    email: str


class OnCallOut(BaseModel):
    team: str
    schedule: str
    schedule_name: str | None
    timezone: str
    at: datetime
    person: PersonOut | None = Field(description="null when nobody is on call")
    source: str | None = Field(description='the layer that gives the answer, or "override"')
    until: datetime | None = Field(description="when the answer next changes; null if not within a year")


class ShiftOut(BaseModel):
    person: PersonOut
    start: datetime
    end: datetime
    layer: int | None = Field(description="index of the layer (0 = lowest); null for an override")
    source: str


class GapOut(BaseModel):
    start: datetime
    end: datetime


class GapsOut(BaseModel):
    team: str
    schedule: str
    schedule_name: str | None
    timezone: str
    from_: datetime = Field(serialization_alias="from")
    to: datetime
    gaps: list[GapOut] = Field(description="when nobody is on call")


class ShiftsOut(GapsOut):
    shifts: list[ShiftOut]


class OnCallList(ListOf[OnCallOut]):
    pass


@router.get(
    "/oncall",
    responses={400: {"description": "a cursor that is not one of this list's"}, 404: {"description": "no such team"}},
)
async def who_is_on_call(
    request: Request,
    response: Response,
    who: Reader,
    team: Annotated[str | None, Query(pattern=ID_PATTERN, description="only this team's schedules")] = None,
    at: Annotated[datetime | None, Query(description="with a UTC offset (UTC if none); default now")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> OnCallList:
    """Who each schedule puts on call, by team and then schedule."""
    context = _context(request)
    when = utc(at) or context.clock.now()
    answers = await attempt(_now_on_call, context.db, team, when)
    page = page_of(answers, lambda answer: (answer.team, answer.schedule), ON_CALL.after(cursor), limit)
    items = [_on_call_out(answer) for answer in page.items]
    return OnCallList(items=items, next=ON_CALL.next_of(request, response, page))


@router.get(
    "/schedules/{schedule_id}/shifts",
    responses={404: {"description": "no such schedule"}, 400: {"description": "a range that is wrong, and why"}},
)
async def schedule_shifts(
    request: Request, who: Reader, schedule_id: ScheduleId, start: From = None, end: To = None
) -> ShiftsOut:
    found = await _shifts(request, schedule_id, start, end)
    zone = ZoneInfo(found.timezone)
    return ShiftsOut(
        **_gaps_out(found).model_dump(),
        shifts=[
            ShiftOut(
                person=_person(s.person),
                start=s.start.astimezone(zone),
                end=s.end.astimezone(zone),
                layer=s.layer,
                source=s.source,
            )
            for s in found.shifts
        ],
    )


@router.get(
    "/schedules/{schedule_id}/gaps",
    responses={404: {"description": "no such schedule"}, 400: {"description": "a range that is wrong, and why"}},
)
async def schedule_gaps(
    request: Request, who: Reader, schedule_id: ScheduleId, start: From = None, end: To = None
) -> GapsOut:
    return _gaps_out(await _shifts(request, schedule_id, start, end))


async def _shifts(request: Request, schedule_id: str, start: datetime | None, end: datetime | None) -> ScheduleShifts:
    context = _context(request)
    return await attempt(_shifts_of, context.db, schedule_id, utc(start) or context.clock.now(), utc(end))


def _now_on_call(db: Database, team: str | None, at: datetime) -> list[OnCall]:
    with db.reading() as connection:
        return oncall.now_on_call(connection, team, at)


def _shifts_of(db: Database, schedule_id: str, start: datetime, end: datetime | None) -> ScheduleShifts:
    if end is None:
        start, end = oncall.span_from(start, DEFAULT_SPAN)
    with db.reading() as connection:
        return oncall.shifts_of(connection, schedule_id, start, end)


def _on_call_out(answer: OnCall) -> OnCallOut:
    zone = ZoneInfo(answer.timezone)
    return OnCallOut(
        team=answer.team,
        schedule=answer.schedule,
        schedule_name=answer.schedule_name,
        timezone=answer.timezone,
        at=answer.at.astimezone(zone),
        person=None if answer.person is None else _person(answer.person),
        source=answer.source,
        until=None if answer.until is None else answer.until.astimezone(zone),
    )


def _gaps_out(found: ScheduleShifts) -> GapsOut:
    zone = ZoneInfo(found.timezone)
    return GapsOut(
        team=found.team,
        schedule=found.schedule,
        schedule_name=found.schedule_name,
        timezone=found.timezone,
        from_=found.start.astimezone(zone),
        to=found.end.astimezone(zone),
        gaps=[GapOut(start=start.astimezone(zone), end=end.astimezone(zone)) for start, end in found.gaps],
    )


def _person(contact: Contact) -> PersonOut:
    return PersonOut(id=contact.id, name=contact.name, email=contact.email)


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context

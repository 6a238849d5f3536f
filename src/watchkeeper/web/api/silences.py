"""Silences: create (author and comment required, an end still to come), list, read and expire early.

A value that is wrong (a matcher that does not parse, a regex that does not compile, an end in the past) is a
400 saying which and why; a body of the wrong shape is a 422 from validation, as elsewhere in the API.
"""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from watchkeeper.services import silences
from watchkeeper.services.audit import Actor
from watchkeeper.services.silences import NewSilence, SilenceView
from watchkeeper.web.access import Reader, SuppressionWriter
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt, duration_of
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["silences"])
SilenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SILENCES = {
    "current": Listing("silences:current", (datetime, int)),
    "expired": Listing("silences:expired", (datetime, int)),
    "all": Listing("silences:all", (int,)),
}


class MatcherIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    op: str = Field(max_length=2, description="=, !=, =~ or !~")
    value: str = Field(max_length=2000)


class SilenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matchers: list[Annotated[str, Field(max_length=2000)] | MatcherIn] = Field(
        max_length=100, description='"service=pay-api", "team=~pay|notify", or {"name", "op", "value"}'
    )
    comment: str = Field(default="", max_length=10_000)
    starts_at: datetime | None = Field(default=None, description="with a UTC offset; now when left out")
    ends_at: datetime | None = Field(default=None, description="with a UTC offset; or give a duration")
    duration: str | None = Field(default=None, max_length=40, description="such as 2h or 1d; or give ends_at")


class SilenceOut(BaseModel):
    id: int
    matchers: list[str]
    starts_at: datetime
    ends_at: datetime
    author: str
    comment: str
    created_at: datetime
    expired_at: datetime | None
    expired_by: str | None
    state: str


def _out(view: SilenceView) -> SilenceOut:
    return SilenceOut(**{**view.__dict__, "matchers": list(view.matchers)})


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


@router.post(
    "/silences",
    status_code=201,
    responses={400: {"description": "a value that is wrong (a matcher, a regex, a period), and why"}},
)
async def create_silence(request: Request, who: SuppressionWriter, body: SilenceIn, response: Response) -> SilenceOut:
    context = _context(request)
    new = NewSilence(
        matchers=[m if isinstance(m, str) else m.model_dump() for m in body.matchers],
        comment=body.comment,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        duration=duration_of(body.duration),
    )
    made = await attempt(silences.create_silence, context.db, context.clock.now(), new, Actor(who, "api"))
    response.headers["Location"] = f"/api/v1/silences/{made.id}"
    return _out(made)


class SilenceList(ListOf[SilenceOut]):
    pass


@router.get("/silences", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_silences(
    request: Request,
    response: Response,
    who: Reader,
    state: Annotated[
        Literal["current", "expired", "all"],
        Query(description="current: active or pending, soonest to end first; expired: latest to end first"),
    ] = "current",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SilenceList:
    """Silences; `all` is newest first."""
    context = _context(request)
    listing = SILENCES[state]
    page = await attempt(silences.silence_page, context.db, context.clock.now(), state, listing.after(cursor), limit)
    return SilenceList(items=[_out(view) for view in page.items], next=listing.next_of(request, response, page))


@router.get("/silences/{silence_id}", responses={404: {"description": "no such silence"}})
async def get_silence(request: Request, who: Reader, silence_id: SilenceId) -> SilenceOut:
    context = _context(request)
    return _out(await attempt(silences.get_silence, context.db, context.clock.now(), silence_id))


@router.post(
    "/silences/{silence_id}/expire",
    responses={404: {"description": "no such silence"}, 409: {"description": "already ended"}},
)
async def expire_silence(request: Request, who: SuppressionWriter, silence_id: SilenceId) -> SilenceOut:
    context = _context(request)
    ended = await attempt(silences.expire_silence, context.db, context.clock.now(), silence_id, Actor(who, "api"))
    return _out(ended)

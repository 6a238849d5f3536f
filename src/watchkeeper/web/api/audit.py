"""The audit log in the API: `GET /api/v1/audit` (filtered, newest first, `{"items": [...], "next": cursor}`
with a `Link` header to the next page) and `GET /api/v1/audit/ID`. Account and token events are listed only
for those who may read them (domain.audit); one that may not be read is a 404, as if it did not exist."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.services import audit_log
from watchkeeper.services.audit_log import AuditQuery, Entry
from watchkeeper.web.access import Reader
from watchkeeper.web.api.cursors import Cursor, Limit, next_link, read_cursor
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.context import AppContext

router = APIRouter(prefix="/api/v1", tags=["audit"])
LIST = "audit"
Text = Annotated[str | None, Query(max_length=200)]


class ObjectOut(BaseModel):
    kind: str
    id: str


class ChangeOut(BaseModel):
    field: str = Field(description="the changed field's path, such as `ends_at` or `schedule.timezone`")
    before: Any = None
    after: Any = None
    added: bool
    removed: bool


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="who made the change, as they were named then")
    account_id: int | None
    token_id: int | None
    via: str = Field(description="console, api, cli, link or engine")
    action: str = Field(description="such as silence.create or account.disable")
    object: ObjectOut
    team: str | None
    before: Any = None
    after: Any = None
    changes: list[ChangeOut]


class AuditListOut(BaseModel):
    items: list[AuditEntryOut]
    next: str | None = Field(description="the cursor of the next (older) page, or null on the last page")


def _out(entry: Entry) -> AuditEntryOut:
    return AuditEntryOut.model_validate(entry.as_json())


@router.get("/audit", responses={400: {"description": "a filter or cursor that cannot be read, and why"}})
async def list_audit(
    request: Request,
    response: Response,
    who: Reader,
    team: Text = None,
    object_kind: Text = None,
    object_id: Text = None,
    actor: Annotated[str | None, Query(max_length=200, description="an account's email, or part of a name")] = None,
    action: Text = None,
    via: Annotated[str | None, Query(max_length=20, description="console, api, cli, link or engine")] = None,
    since: Annotated[datetime | None, Query(description="from this instant, included; UTC without an offset")] = None,
    until: Annotated[datetime | None, Query(description="up to this instant, excluded; UTC without an offset")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AuditListOut:
    context: AppContext = request.app.state.context
    query = AuditQuery(
        team=team,
        kind=object_kind,
        object_id=object_id,
        who=actor,
        action=action,
        via=via,
        since=since,
        until=until,
        before=read_cursor(cursor, LIST),
    )
    found = await attempt(audit_log.page, context.db, who, query, limit)
    following = next_link(request, response, LIST, found.next_before)
    return AuditListOut(items=[_out(entry) for entry in found.entries], next=following)


@router.get("/audit/{event_id}", responses={404: {"description": "no such entry, or not one this caller reads"}})
async def get_audit(request: Request, who: Reader, event_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> AuditEntryOut:
    context: AppContext = request.app.state.context
    return _out(await attempt(audit_log.entry, context.db, who, event_id))

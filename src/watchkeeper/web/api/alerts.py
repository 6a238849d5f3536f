"""Alerts: list and read them, and acknowledge or resolve one (which stops or ends its escalation)."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from watchkeeper.catalog.types import ID_PATTERN, Severity
from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused
from watchkeeper.store.alert_lists import AlertFilter
from watchkeeper.store.contention import Contended
from watchkeeper.web.access import AlertsWriter, Reader
from watchkeeper.web.api.fields import PlatformFilter, ServiceFilter, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf, in_range
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
STATUSES = {"open": alert_views.OPEN, "resolved": ("resolved",), "all": ("triggered", "acknowledged", "resolved")}
ALERTS = Listing("alerts", (datetime, int))
Source = Annotated[
    str | None, Query(pattern=r"^[a-z0-9_]{1,16}$", description="check, alertmanager, pagerduty, sentry, generic")
]


ACT_PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"description": "a body that names someone: who acts is whoever is signed in"},
    403: {"description": "the alert is another team's"},
    404: {"description": "no such open alert"},
    409: {"description": "others changed the alert at the same moment, every time it was tried; try again"},
}


class ActOut(BaseModel):
    alert: int
    outcome: str
    note: str


class AlertOut(BaseModel):
    id: int
    dedup_key: str
    source: str
    status: str = Field(description="triggered, acknowledged or resolved")
    severity: str
    summary: str
    team_id: str = Field(description="the owner when it was raised")
    service_id: str | None
    platform_id: str | None
    subject_kind: str = Field(description="check, service, platform or team")
    subject_id: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    labels: dict[str, Any]
    links: list[dict[str, Any]]


class EventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str | None
    message: str
    data: dict[str, Any] | None


class AlertDetailOut(AlertOut):
    events: list[EventOut] = Field(description="its history, oldest first")


class AlertList(ListOf[AlertOut]):
    pass


@router.get(
    "/alerts",
    responses={400: {"description": "a cursor that is not one of this list's, or a period that ends before it starts"}},
)
async def list_alerts(
    request: Request,
    response: Response,
    who: Reader,
    status: Annotated[
        Literal["open", "resolved", "all"], Query(description="open: triggered or acknowledged")
    ] = "open",
    team: TeamFilter = None,
    service: ServiceFilter = None,
    platform: PlatformFilter = None,
    check: Annotated[str | None, Query(pattern=ID_PATTERN, description="only this check's")] = None,
    severity: Severity | None = None,
    source: Source = None,
    since: Annotated[datetime | None, Query(description="raised at or after; UTC when no offset is given")] = None,
    until: Annotated[datetime | None, Query(description="raised before; UTC when no offset is given")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> AlertList:
    """Alerts, newest first."""
    window = in_range(since, until)
    wanted = AlertFilter(STATUSES[status], team, service, platform, check, severity, source, *window)
    page = await attempt(alert_views.alert_list, context_of(request).db, wanted, ALERTS.after(cursor), limit)
    items = [AlertOut.model_validate(row) for row in page.items]
    return AlertList(items=items, next=ALERTS.next_of(request, response, page))


@router.get("/alerts/{alert_id}", responses={404: {"description": "no such alert"}})
async def get_alert(request: Request, who: Reader, alert_id: AlertId) -> AlertDetailOut:
    context = context_of(request)
    try:
        page = await run_in_threadpool(alert_views.alert_page, context.db, alert_id)
    except NoSuchAlert as error:
        raise Problem(404, "Not found", str(error)) from None
    return AlertDetailOut.model_validate({**page.alert, "events": page.events})


class ActIn(BaseModel):
    """Nothing: who acts is whoever is signed in. A body naming someone (`by`, as before sign-in) is refused
    rather than ignored, so that no client believes it recorded another name."""

    model_config = ConfigDict(extra="forbid")


@router.post("/alerts/{alert_id}/acknowledge", responses=ACT_PROBLEMS)
async def acknowledge(request: Request, who: AlertsWriter, alert_id: AlertId, body: ActIn | None = None) -> ActOut:
    return await _act(request, alert_id, "acknowledge", Actor(who, "api"))


@router.post("/alerts/{alert_id}/resolve", responses=ACT_PROBLEMS)
async def resolve(request: Request, who: AlertsWriter, alert_id: AlertId, body: ActIn | None = None) -> ActOut:
    return await _act(request, alert_id, "resolve", Actor(who, "api"))


async def _act(request: Request, alert_id: int, action: str, actor: Actor) -> ActOut:
    context: AppContext = request.app.state.context
    try:
        received = await run_in_threadpool(alert_views.act, context.db, alert_id, action, actor, context.clock.now())
    except Refused as refused:
        raise Problem(
            refused.status, "Forbidden" if refused.status == 403 else "Bad request", refused.message
        ) from None
    except NoSuchAlert as error:
        raise Problem(404, "Not found", str(error)) from None
    except Contended as error:
        raise Problem(409, "Conflict", str(error)) from None
    return ActOut(alert=alert_id, outcome=received.applied.outcome, note=received.applied.note)

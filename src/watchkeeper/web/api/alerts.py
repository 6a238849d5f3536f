"""Alerts: list and read them, and acknowledge or resolve one (which stops or ends its escalation)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.refusals import Refused, person_text
from watchkeeper.store.contention import Contended
from watchkeeper.web.access import AlertsWriter, Reader
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
STATUSES = {"open": alert_views.OPEN, "resolved": ("resolved",), "all": ("triggered", "acknowledged", "resolved")}
FIELDS = (
    "id",
    "dedup_key",
    "source",
    "status",
    "severity",
    "summary",
    "team_id",
    "service_id",
    "platform_id",
    "subject_kind",
    "subject_id",
    "created_at",
    "acknowledged_at",
    "acknowledged_by",
    "resolved_at",
    "resolved_by",
    "labels",
    "links",
)


class ActIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1, max_length=200, description="who acknowledges or resolves")


class ActOut(BaseModel):
    alert: int
    outcome: str
    note: str


@router.get("/alerts")
async def list_alerts(
    request: Request,
    who: Reader,
    status: Literal["open", "resolved", "all"] = "open",
    team: Annotated[str | None, Query(max_length=63)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    context: AppContext = request.app.state.context
    rows = await run_in_threadpool(alert_views.list_alerts, context.db, STATUSES[status], team, limit)
    return [{key: row[key] for key in FIELDS} for row in rows]


@router.get("/alerts/{alert_id}", responses={404: {"description": "no such alert"}})
async def get_alert(request: Request, who: Reader, alert_id: AlertId) -> dict[str, Any]:
    context: AppContext = request.app.state.context
    try:
        page = await run_in_threadpool(alert_views.alert_page, context.db, alert_id)
    except NoSuchAlert as error:
        raise Problem(404, "Not found", str(error)) from None
    return {**{key: page.alert[key] for key in FIELDS}, "events": page.events}


@router.post("/alerts/{alert_id}/acknowledge", responses={404: {"description": "no such open alert"}})
async def acknowledge(request: Request, who: AlertsWriter, alert_id: AlertId, body: ActIn) -> ActOut:
    return await _act(request, alert_id, "acknowledge", body.by)


@router.post("/alerts/{alert_id}/resolve", responses={404: {"description": "no such open alert"}})
async def resolve(request: Request, who: AlertsWriter, alert_id: AlertId, body: ActIn) -> ActOut:
    return await _act(request, alert_id, "resolve", body.by)


async def _act(request: Request, alert_id: int, action: str, by: str) -> ActOut:
    context: AppContext = request.app.state.context
    try:
        name = person_text(by, "by", 200)
    except Refused as refused:
        raise Problem(400, "Bad request", refused.message) from None
    try:
        received = await run_in_threadpool(
            alert_views.act, context.db, alert_id, action, f"{name} (api)", context.clock.now()
        )
    except NoSuchAlert as error:
        raise Problem(404, "Not found", str(error)) from None
    except Contended as error:
        raise Problem(409, "Conflict", str(error)) from None
    return ActOut(alert=alert_id, outcome=received.applied.outcome, note=received.applied.note)

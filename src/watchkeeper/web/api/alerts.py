"""Alerts: list and read them, and acknowledge or resolve one (which stops or ends its escalation)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused
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


class ActIn(BaseModel):
    """Nothing: who acts is whoever is signed in. A body naming someone (`by`, as before sign-in) is refused
    rather than ignored, so that no client believes it recorded another name."""

    model_config = ConfigDict(extra="forbid")


@router.post("/alerts/{alert_id}/acknowledge", responses={404: {"description": "no such open alert"}})
async def acknowledge(request: Request, who: AlertsWriter, alert_id: AlertId, body: ActIn | None = None) -> ActOut:
    return await _act(request, alert_id, "acknowledge", Actor(who, "api"))


@router.post("/alerts/{alert_id}/resolve", responses={404: {"description": "no such open alert"}})
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

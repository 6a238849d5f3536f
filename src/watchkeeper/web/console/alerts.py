"""Alerts in the console: the open ones, one alert's timeline and deliveries, and the inbox channels' messages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
STATUS_VIEWS = {"open": alert_views.OPEN, "resolved": ("resolved",), "all": ("triggered", "acknowledged", "resolved")}


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, show: Annotated[str, Query(alias="status")] = "open") -> HTMLResponse:
    context: AppContext = request.app.state.context
    statuses = STATUS_VIEWS.get(show, alert_views.OPEN)
    found = await run_in_threadpool(alert_views.list_alerts, context.db, statuses, None, 200)
    values = await page_context(
        request, alerts=found, show=show if show in STATUS_VIEWS else "open", now=context.clock.now()
    )
    return render(request, "alerts.html", values)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
async def alert(request: Request, alert_id: str) -> HTMLResponse:
    context: AppContext = request.app.state.context
    if not alert_id.isdigit() or len(alert_id) > 15:  # a person's typo gets the page's 404, not an API error
        return await not_found(request, f"alert {alert_id[:40]}")
    try:
        page = await run_in_threadpool(alert_views.alert_page, context.db, int(alert_id))
    except NoSuchAlert:
        return await not_found(request, f"alert {alert_id}")
    pending = await run_in_threadpool(alert_views.pending_notifications, context.db, int(alert_id))
    values = await page_context(request, page=page, pending=pending, now=context.clock.now())
    return render(request, "alert.html", values)


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request) -> HTMLResponse:
    context: AppContext = request.app.state.context
    messages = await run_in_threadpool(alert_views.inbox, context.db, None, 100)
    values = await page_context(request, messages=messages, now=context.clock.now())
    return render(request, "inbox.html", values)

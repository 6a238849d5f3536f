"""Alerts in the console: the open ones, one alert's timeline and deliveries, and the inbox channels' messages."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import AlertsWriter, Reader
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext
from watchkeeper.web.paging import PRIVATE, page_links_of

router = APIRouter(include_in_schema=False)
ACTIONS = {"acknowledge": "acknowledge", "resolve": "resolve"}
STATUS_VIEWS = {"open": alert_views.OPEN, "resolved": ("resolved",), "all": ("triggered", "acknowledged", "resolved")}


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, who: Reader, show: Annotated[str, Query(alias="status")] = "open") -> HTMLResponse:
    context: AppContext = request.app.state.context
    statuses = STATUS_VIEWS.get(show, alert_views.OPEN)
    found = await run_in_threadpool(alert_views.list_alerts, context.db, statuses, None, 200)
    values = await page_context(
        request, alerts=found, show=show if show in STATUS_VIEWS else "open", now=context.clock.now()
    )
    return render(request, "alerts.html", values)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
async def alert(request: Request, who: Reader, alert_id: str) -> HTMLResponse:
    context: AppContext = request.app.state.context
    if not _an_id(alert_id):  # a person's typo gets the page's 404, not an API error
        return await not_found(request, f"alert {alert_id[:40]}")
    try:
        page = await run_in_threadpool(alert_views.alert_page, context.db, int(alert_id))
    except NoSuchAlert:
        return await not_found(request, f"alert {alert_id}")
    pending = await run_in_threadpool(alert_views.pending_notifications, context.db, int(alert_id))
    values = await page_context(request, page=page, pending=pending, now=context.clock.now())
    return render(request, "alert.html", values)


@router.post("/alerts/{alert_id}/{action}", response_class=HTMLResponse, response_model=None)
async def act(request: Request, who: AlertsWriter, alert_id: str, action: str) -> HTMLResponse | RedirectResponse:
    """Acknowledge or resolve from the alert's page, as the person signed in."""
    context: AppContext = request.app.state.context
    if action not in ACTIONS or not _an_id(alert_id):
        return await not_found(request, f"alert {alert_id[:40]}")
    actor = Actor(who, "console")
    try:
        await run_in_threadpool(alert_views.act, context.db, int(alert_id), ACTIONS[action], actor, context.clock.now())
    except NoSuchAlert:
        return await not_found(request, f"open alert {alert_id}")
    except Refused as refused:
        return await _refused(request, int(alert_id), refused.message, refused.status)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


async def _refused(request: Request, alert_id: int, error: str, status: int = 400) -> HTMLResponse:
    context: AppContext = request.app.state.context
    try:
        page = await run_in_threadpool(alert_views.alert_page, context.db, alert_id)
    except NoSuchAlert:
        return await not_found(request, f"alert {alert_id}")
    pending = await run_in_threadpool(alert_views.pending_notifications, context.db, alert_id)
    values = await page_context(request, page=page, pending=pending, now=context.clock.now(), act_error=error)
    return render(request, "alert.html", values, status_code=status)


def _an_id(text: str) -> bool:
    """Digits as a person types them (ASCII, as `int` reads them the same), short enough for the database."""
    return text.isascii() and text.isdigit() and len(text) <= 9


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, who: Reader) -> HTMLResponse:
    context: AppContext = request.app.state.context
    messages = await run_in_threadpool(alert_views.inbox, context.db, None, 100)
    links = page_links_of(context.settings, str(request.base_url))
    for message in messages:  # a page's link is signed as it is shown, so the inbox never stores it
        link = message["page_link_id"]
        message["page_url"] = links.url(link) if links is not None and link is not None else None
    values = await page_context(request, messages=messages, now=context.clock.now())
    response = render(request, "inbox.html", values)
    response.headers.update(PRIVATE)  # it shows pages' signed links
    return response

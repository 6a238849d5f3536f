"""The inbound integrations of the catalog: where each one posts and whether it has a key. Keys are never
shown here; they are issued with `watchkeeper integrations rotate` until the console has sign-in and roles."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.integration_keys import KEY_PLACES, endpoint_url, list_integrations
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
TYPE_NAMES = {
    "alertmanager": "Prometheus Alertmanager",
    "pagerduty_events_v2": "PagerDuty Events API v2",
    "sentry": "Sentry",
    "generic": "Generic JSON",
}


@router.get("/integrations", response_class=HTMLResponse)
async def integrations(request: Request) -> HTMLResponse:
    context: AppContext = request.app.state.context
    rows = await run_in_threadpool(list_integrations, context.db)
    base_url = context.settings.public_url or str(request.base_url)
    listed = [
        {
            "row": row,
            "type_name": TYPE_NAMES.get(row.type, row.type),
            "endpoint": endpoint_url(base_url, row.type),
            "key_place": KEY_PLACES.get(row.type, ""),
        }
        for row in rows
    ]
    return render(request, "integrations.html", await page_context(request, integrations=listed))

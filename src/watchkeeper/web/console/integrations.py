"""The inbound integrations of the catalog: where each one posts, whether it has a key and who issued it, and a
button to issue or rotate one. A new key is shown once, in the answer to the post that made it, and never again:
Watchkeeper keeps only its digest, so no later page can show it, and the answer is marked `no-store`.

Rotating asks first (the old key stops working at once), and every form says which key it means to replace, so a
form sent twice (a reload of the page that showed the key) asks again rather than killing the key just shown."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.logs import get_logger
from watchkeeper.services.audit import Actor
from watchkeeper.services.integration_keys import (
    KEY_PLACES,
    IssuedKey,
    KeyChanged,
    UnknownIntegration,
    endpoint_url,
    find_integration,
    key_version,
    list_integrations,
    rotate_seen,
)
from watchkeeper.services.refusals import Refused
from watchkeeper.store.integration_keys import IntegrationRow
from watchkeeper.web.access import IntegrationsWriter, Reader, require_same_origin
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
log = get_logger("watchkeeper.web")
TYPE_NAMES = {
    "alertmanager": "Prometheus Alertmanager",
    "pagerduty_events_v2": "PagerDuty Events API v2",
    "sentry": "Sentry",
    "generic": "Generic JSON",
}
NOT_KEPT = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""The page with a new key must not be kept by the browser or any cache on the way: a key is shown once."""


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def _base_url(request: Request) -> str:
    return _context(request).settings.public_url or str(request.base_url)


def _listed(request: Request, row: IntegrationRow) -> dict[str, Any]:
    return {
        "row": row,
        "type_name": TYPE_NAMES.get(row.type, row.type),
        "endpoint": endpoint_url(_base_url(request), row.type),
        "key_place": KEY_PLACES.get(row.type, ""),
        "version": key_version(row),
    }


@router.get("/integrations", response_class=HTMLResponse)
async def integrations(request: Request, who: Reader) -> HTMLResponse:
    rows = await run_in_threadpool(list_integrations, _context(request).db)
    listed = [_listed(request, row) for row in rows]
    return render(request, "integrations.html", await page_context(request, integrations=listed))


@router.get("/integrations/{integration_id}/key", response_class=HTMLResponse)
async def key_page(request: Request, who: Reader, integration_id: str) -> HTMLResponse:
    """The form to issue or rotate a key, for a link or a bookmark; it never shows a key."""
    row = await run_in_threadpool(find_integration, _context(request).db, integration_id)
    return await _confirm_page(request, row, {})


@router.post("/integrations/{integration_id}/key", response_class=HTMLResponse)
async def issue_key(request: Request, who: IntegrationsWriter, integration_id: str) -> Response:
    require_same_origin(request)
    form = {key: str(value) for key, value in (await request.form()).items() if isinstance(value, str)}
    context = _context(request)
    row = await run_in_threadpool(find_integration, context.db, integration_id)
    seen = form.get("replacing", "")
    if row is None or seen != key_version(row):  # no version at all (not sent from our page): just ask
        return await _confirm_page(request, row, form, changed=bool(seen))
    if row.hint is not None and form.get("confirm") != "yes":
        return await _confirm_page(request, row, form)  # rotating kills the old key at once: ask first
    actor = Actor(who, "console")
    try:
        issued = await run_in_threadpool(rotate_seen, context.db, integration_id, context.clock.now(), actor, seen)
    except (UnknownIntegration, KeyChanged):
        now_row = await run_in_threadpool(find_integration, context.db, integration_id)
        return await _confirm_page(request, now_row, form, changed=True)
    except Refused as refused:
        return await _confirm_page(request, row, form, error=refused.message, status=refused.status)
    log.info("integration key issued", integration=integration_id, by=issued.issued_by, replaced=row.hint is not None)
    return await _issued_page(request, issued, replaced=row)


async def _confirm_page(
    request: Request,
    row: IntegrationRow | None,
    form: dict[str, str],
    changed: bool = False,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    if row is None:  # an unknown id, or one that left the catalog while the form was on the screen
        return await not_found(request, "No integration with this id in the catalog in force.")
    values = await page_context(request, item=_listed(request, row), form=form, changed=changed, error=error)
    return render(request, "integration_rotate.html", values, status_code=409 if changed else status)


async def _issued_page(request: Request, issued: IssuedKey, replaced: IntegrationRow) -> HTMLResponse:
    row = issued.integration
    base_url = _base_url(request)
    values = await page_context(
        request,
        item=_listed(request, row),
        key=issued.key,
        issued_at=issued.issued_at,
        issued_by=issued.issued_by,
        url=endpoint_url(base_url, row.type, issued.key),
        replaced=replaced,
    )
    response = render(request, "integration_key.html", values)
    response.headers.update(NOT_KEPT)
    return response

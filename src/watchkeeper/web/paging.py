"""A page's one-click link: `GET /page/<token>` shows what was paged and two buttons, and only the `POST` they
make acknowledges or resolves (ADR 0036), so a mail scanner or link preview that opens the link changes
nothing. The token is a credential: the page is never cached and sends no referrer."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import page_links
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.page_links import LinkRefused, PageAction, PageLinks, PageView
from watchkeeper.settings import Settings, SettingsError
from watchkeeper.store.contention import Contended
from watchkeeper.web.access import PUBLIC, require_same_origin
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@router.get("/page/{token}", response_class=HTMLResponse)
async def show(request: Request, token: str) -> HTMLResponse:
    context: AppContext = request.app.state.context
    links = _links(context)
    shown = (
        None
        if links is None
        else await run_in_threadpool(page_links.view, context.db, links, token, context.clock.now())
    )
    if shown is None:
        return await _unknown(request)
    return await _page(request, shown, None, None)


@router.post("/page/{token}", response_class=HTMLResponse)
async def act(request: Request, token: str, action: Annotated[str, Form(max_length=20)] = "") -> HTMLResponse:
    require_same_origin(request)
    context: AppContext = request.app.state.context
    links = _links(context)
    if links is None:
        return await _unknown(request)
    chosen: PageAction | None = "acknowledge" if action == "acknowledge" else "resolve" if action == "resolve" else None
    if chosen is None:
        shown = await run_in_threadpool(page_links.view, context.db, links, token, context.clock.now())
        if shown is None:
            return await _unknown(request)
        return await _page(request, shown, None, "Choose acknowledge or resolve", status_code=400)
    try:
        after = await run_in_threadpool(page_links.act, context.db, links, token, chosen, context.clock.now())
    except NoSuchAlert:
        return await _unknown(request)
    except Contended as busy:  # others changed the same alerts at that moment, every time: nothing was done
        shown = await run_in_threadpool(page_links.view, context.db, links, token, context.clock.now())
        if shown is None:
            return await _unknown(request)
        return await _page(request, shown, None, str(busy), status_code=503)
    except LinkRefused as refused:
        shown = await run_in_threadpool(page_links.view, context.db, links, token, context.clock.now())
        if shown is None:
            return await _unknown(request)
        return await _page(request, shown, None, str(refused), status_code=409)
    return await _page(request, after, action, None)


def page_links_of(settings: Settings, served_at: str | None = None) -> PageLinks | None:
    """Page links signed with the secret key, at WATCHKEEPER_PUBLIC_URL, else where this request came (a page
    shown in the console), else where the server listens; None without a key (a test's settings)."""
    try:
        key = settings.secret_key_value()
    except SettingsError:
        return None
    base = settings.public_url or served_at or settings.base_url()
    return PageLinks(key, base)


def _links(context: AppContext) -> PageLinks | None:
    return page_links_of(context.settings)


async def _page(
    request: Request, shown: PageView, done: str | None, refusal: str | None, status_code: int = 200
) -> HTMLResponse:
    values = await page_context(request, shown=shown, done=done, refusal=refusal)
    response = render(request, "page_link.html", values, status_code=status_code)
    response.headers.update(PRIVATE)
    return response


async def _unknown(request: Request) -> HTMLResponse:
    values = await page_context(request, shown=None, done=None, refusal=None)
    response = render(request, "page_link.html", values, status_code=404)
    response.headers.update(PRIVATE)
    return response

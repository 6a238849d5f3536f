"""Console pages."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper import __version__
from watchkeeper.services.catalog import catalog_status
from watchkeeper.services.catalogue import read_catalogue
from watchkeeper.web.access import Reader, csrf_token_of
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)


async def page_context(request: Request, **values: Any) -> dict[str, Any]:
    """What every page needs: the catalog banner when the latest reload failed, the demo flag, who is signed
    in, the CSRF token its forms carry, and the nonce of the page's one inline script."""
    context: AppContext = request.app.state.context
    status = await run_in_threadpool(catalog_status, context.db)
    return {
        "catalog_status": status,
        "demo": context.settings.demo,
        "current_path": request.url.path,
        "version": __version__,
        "me": getattr(request.state, "principal", None),
        "csrf_token": csrf_token_of(request),
        "cspNonce": getattr(request.state, "csp_nonce", None),
        **values,
    }


@router.get("/", response_class=HTMLResponse)
async def catalogue(request: Request, who: Reader) -> HTMLResponse:
    context: AppContext = request.app.state.context
    view = await run_in_threadpool(read_catalogue, context.db)
    values = await page_context(request, catalogue=view)
    return render(request, "catalogue.html", values)


def render(request: Request, template: str, values: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, values, status_code=status_code
    )
    return response


async def not_found(request: Request, what: str) -> HTMLResponse:
    """A console page for something that does not exist: a 404 a person can act on, never a 500."""
    values = await page_context(request, what=what)
    return render(request, "not_found.html", values, status_code=404)

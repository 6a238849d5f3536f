"""The home page at `/`: the signed-in person's own world first (services.home). Its lists refresh themselves
while it is open (web/static/live.js, ADR 0044); without JavaScript, its Refresh link does the same."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.home import home_for
from watchkeeper.web.access import Reader
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, who: Reader) -> HTMLResponse:
    context: AppContext = request.app.state.context
    view = await run_in_threadpool(home_for, context.db, who, context.clock.now())
    values = await page_context(request, home=view, now=view.now)
    return render(request, "home.html", values)

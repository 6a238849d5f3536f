"""What is down now: every check confirmed DOWN, then those flapping, then those failing but not yet DOWN,
each with the service or platform it watches and the team that owns it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.down_now import read_down_now
from watchkeeper.web.access import Reader
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)


@router.get("/down", response_class=HTMLResponse)
async def down_now(request: Request, who: Reader) -> HTMLResponse:
    context: AppContext = request.app.state.context
    now = context.clock.now()
    view = await run_in_threadpool(read_down_now, context.db, now)
    values = await page_context(request, view=view, now=now)
    return render(request, "down.html", values)

"""`/calendar/TOKEN.ics`: a schedule's or a person's on-call shifts as an iCalendar feed, for calendar apps to
subscribe to (ADR 0034). The token in the URL is the only credential, so every URL that opens no feed (unknown,
rotated, malformed, or its subject gone from the catalog) gets the very same 404 as any other unknown path."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from watchkeeper.services.calendar_feeds import calendar_for
from watchkeeper.web.access import PUBLIC
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
CALENDAR = "text/calendar; charset=utf-8"
HEADERS = {
    # Nothing on the way keeps a copy: a rotated URL must stop showing the shifts at once, and a shared cache
    # would go on serving them to whoever holds the old URL. Calendar apps poll every hour or so anyway.
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


@router.get("/calendar/{name}")
async def calendar_feed(request: Request, name: str) -> Response:
    context: AppContext = request.app.state.context
    token = name.removesuffix(".ics") if name.endswith(".ics") else ""
    body = await run_in_threadpool(calendar_for, context.db, token, context.clock.now()) if token else None
    if body is None:
        raise HTTPException(404)
    return Response(body, media_type=CALENDAR, headers=HEADERS)

"""The silences and maintenance pages: what is on, what is coming, and forms to add, expire and cancel.
Every form works without JavaScript; a refusal re-shows the form with the reason and what was typed."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.access import Principal
from watchkeeper.domain.durations import parse_duration
from watchkeeper.services import maintenance, silences
from watchkeeper.services.audit import Actor
from watchkeeper.services.maintenance import NewWindow
from watchkeeper.services.refusals import Refused
from watchkeeper.services.silences import NewSilence
from watchkeeper.web.access import Reader, SuppressionWriter, require_same_origin
from watchkeeper.web.console.forms import field_of, utc_instant, words
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

VIA = "console"
router = APIRouter(include_in_schema=False)
EXPIRED_SHOWN = 20
SCOPE_KINDS = {"service": "services", "platform": "platforms", "check": "checks"}
SILENCE_FIELDS = ("matchers", "duration", "comment")
SILENCE_HINTS = {"duration": "duration", "matcher": "matchers"}
WINDOW_FIELDS = ("name", "kind", "ids", "start", "duration", "end")
WINDOW_HINTS = {
    "choose what": "kind",
    "covers": "ids",
    "in the catalog": "ids",
    "id: lower-case": "ids",
    "duration": "duration",
    "the end": "end",
    "start": "start",
}
"""Words of the refusals that name no field first, and the field each is about."""


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


async def _form(request: Request) -> dict[str, str]:
    require_same_origin(request)
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


@router.get("/silences", response_class=HTMLResponse)
async def silences_page(request: Request, who: Reader) -> HTMLResponse:
    return await _silences(request)


async def _silences(
    request: Request,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    field: str | None = None,
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    current = await run_in_threadpool(silences.list_silences, context.db, now, "current")
    expired = await run_in_threadpool(silences.list_silences, context.db, now, "expired")
    values = await page_context(
        request,
        now=now,
        current=current,
        expired=expired[:EXPIRED_SHOWN],
        form=form or {"duration": "2h", "matchers": _own_team_matcher(request)},
        error=error,
        error_field=field or field_of(error or "", SILENCE_FIELDS, SILENCE_HINTS, "matchers"),
        done=request.query_params.get("done"),
    )
    return render(request, "silences.html", values, status_code=status)


@router.post("/silences", response_class=HTMLResponse)
async def add_silence(request: Request, who: SuppressionWriter) -> Response:
    form = await _form(request)
    context = _context(request)
    try:
        new = NewSilence(
            matchers=[line.strip() for line in form.get("matchers", "").splitlines() if line.strip()],
            comment=form.get("comment", ""),
            duration=parse_duration(form.get("duration", "").strip() or "0"),
        )
        made = await run_in_threadpool(silences.create_silence, context.db, context.clock.now(), new, Actor(who, VIA))
    except (Refused, ValueError) as refused:
        return await _silences(request, form, _reason(refused), _status(refused))
    return RedirectResponse(f"/silences?done=added-{made.id}#silence-{made.id}", status_code=303)


@router.post("/silences/{silence_id}/expire", response_class=HTMLResponse)
async def expire_silence(request: Request, who: SuppressionWriter, silence_id: int) -> Response:
    context = _context(request)
    try:
        await run_in_threadpool(silences.expire_silence, context.db, context.clock.now(), silence_id, Actor(who, VIA))
    except Refused as refused:
        field = "current" if refused.status == 404 else f"silence-{silence_id}"  # its row, or the list it left
        return await _silences(request, None, f"Silence {silence_id}: {refused.message}", refused.status, field)
    return RedirectResponse(f"/silences?done=expired-{silence_id}", status_code=303)


@router.get("/maintenance", response_class=HTMLResponse)
async def maintenance_page(request: Request, who: Reader) -> HTMLResponse:
    return await _maintenance(request)


async def _maintenance(
    request: Request,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    field: str | None = None,
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    seen = await run_in_threadpool(maintenance.overview, context.db, now)
    values = await page_context(
        request,
        now=now,
        overview=seen,
        form=form or {"duration": "1h", "kind": "service"},
        error=error,
        error_field=field or field_of(error or "", WINDOW_FIELDS, WINDOW_HINTS, "name"),
        done=request.query_params.get("done"),
    )
    return render(request, "maintenance.html", values, status_code=status)


@router.post("/maintenance", response_class=HTMLResponse)
async def add_window(request: Request, who: SuppressionWriter) -> Response:
    form = await _form(request)
    context = _context(request)
    try:
        new = _new_window(form)
        made = await run_in_threadpool(maintenance.create_window, context.db, context.clock.now(), new, Actor(who, VIA))
    except (Refused, ValueError) as refused:
        return await _maintenance(request, form, _reason(refused), _status(refused))
    return RedirectResponse(f"/maintenance?done=added-{made.id}#window-{made.id}", status_code=303)


def _new_window(form: dict[str, str]) -> NewWindow:
    kind = SCOPE_KINDS.get(form.get("kind", ""))
    if kind is None:
        raise ValueError("choose what the window covers: a service, a platform or a check")
    ends_at = utc_instant(form.get("end", ""), "end")
    duration_text = form.get("duration", "").strip()
    return NewWindow(
        name=form.get("name", ""),
        starts_at=utc_instant(form.get("start", ""), "start"),
        ends_at=ends_at,
        duration=None if ends_at is not None or not duration_text else parse_duration(duration_text),
        announce=form.get("announce") == "yes",
        **{kind: words(form.get("ids", ""))},
    )


@router.post("/maintenance/{window_id}/cancel", response_class=HTMLResponse)
async def cancel_window(request: Request, who: SuppressionWriter, window_id: int) -> Response:
    context = _context(request)
    try:
        actor = Actor(who, VIA)
        await run_in_threadpool(maintenance.cancel_window, context.db, context.clock.now(), window_id, actor)
    except Refused as refused:
        field = "runtime" if refused.status == 404 else f"window-{window_id}"  # its row, or the list it left
        return await _maintenance(request, None, f"Window {window_id}: {refused.message}", refused.status, field)
    return RedirectResponse(f"/maintenance?done=cancelled-{window_id}", status_code=303)


def _own_team_matcher(request: Request) -> str:
    """A team member's silence must name their team: the form starts with it written in."""
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None or who.platform_admin or len(who.member_of) != 1:
        return ""
    return f"team={who.teams()[0]}\n"


def _status(error: Exception) -> int:
    return error.status if isinstance(error, Refused) else 400


def _reason(error: Exception) -> str:
    message: Any = getattr(error, "message", None)
    return str(message) if message else str(error)

"""The on-call pages: every schedule with who is on call now and next, and a calendar per schedule (a week day by
day, the next two weeks, its overrides) with forms to create and remove an override and to get a calendar link.
Times are shown, and typed, in the schedule's timezone. Every form works without JavaScript; a refusal re-shows
the page with the reason in an error summary and what was typed."""

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.oncall import instant_of
from watchkeeper.logs import get_logger
from watchkeeper.services import calendar_feeds, oncall_calendar, overrides
from watchkeeper.services.audit import Actor
from watchkeeper.services.calendar_feeds import FeedChanged, IssuedFeed, feed_url
from watchkeeper.services.overrides import NewOverride
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.store.calendar_feeds import SubjectKind
from watchkeeper.web.access import OnCallWriter, Reader, require_same_origin
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
log = get_logger("watchkeeper.web")
FIELDS = ("person", "replaces", "from", "to", "author", "reason")
NOT_KEPT = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""The page with a new calendar link must not be kept by the browser or a cache: it is shown once."""


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


async def _form(request: Request) -> dict[str, str]:
    require_same_origin(request)
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


@router.get("/oncall", response_class=HTMLResponse)
async def oncall_page(request: Request, who: Reader) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    schedules = await run_in_threadpool(oncall_calendar.overview, context.db, now)
    return render(request, "oncall.html", await page_context(request, now=now, schedules=schedules))


@router.get("/oncall/schedules/{schedule_id}", response_class=HTMLResponse)
async def schedule_page(request: Request, who: Reader, schedule_id: str) -> HTMLResponse:
    prefill = {key: request.query_params[key] for key in FIELDS if key in request.query_params}
    return await _schedule(request, schedule_id, prefill or None)


async def _schedule(
    request: Request,
    schedule_id: str,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    feed_form: dict[str, str] | None = None,
    field: str | None = None,
) -> HTMLResponse:
    context = _context(request)
    now = context.clock.now()
    week_text = request.query_params.get("week", "")
    week, week_error = _week(week_text)
    try:
        page = await run_in_threadpool(oncall_calendar.schedule_page, context.db, schedule_id, now, week)
    except NotFound:
        return await not_found(request, "No schedule with this id in the catalog in force.")
    if week_error and not error:
        error, status = week_error, 400
    values = await page_context(
        request,
        now=now,
        page=page,
        zone=page.facts.timezone,
        form=form or {},
        error=error,
        error_field=field or _field_of(error),
        done=request.query_params.get("done"),
        feed_form=feed_form or {},
        previous_week=page.week - timedelta(days=7),
        next_week=page.week + timedelta(days=7),
        week_link=lambda day: f"/oncall/schedules/{page.facts.id}?{urlencode({'week': day.isoformat()})}",
    )
    return render(request, "oncall_schedule.html", values, status_code=status)


@router.post("/oncall/schedules/{schedule_id}/overrides", response_class=HTMLResponse)
async def add_override(request: Request, who: OnCallWriter, schedule_id: str) -> Response:
    form = await _form(request)
    context = _context(request)
    try:
        zone = await run_in_threadpool(_zone_of, context, schedule_id)
        new = NewOverride(
            schedule_id=schedule_id,
            person=form.get("person", ""),
            reason=form.get("reason", ""),
            replaces=form.get("replaces") or None,
            starts_at=_local(form.get("from", ""), zone, "from"),
            ends_at=_local(form.get("to", ""), zone, "to") or _missing("to: enter when the override ends"),
        )
        actor = Actor(who, "console")
        made = await run_in_threadpool(overrides.create_override, context.db, context.clock.now(), new, actor)
    except NotFound:
        return await not_found(request, "No schedule with this id in the catalog in force.")
    except (Refused, ValueError) as refused:
        status = refused.status if isinstance(refused, Refused) else 400
        return await _schedule(request, schedule_id, form, _reason(refused), status)
    return RedirectResponse(f"/oncall/schedules/{schedule_id}?done=added-{made.id}#override-{made.id}", 303)


@router.post("/oncall/schedules/{schedule_id}/overrides/{override_id}/remove", response_class=HTMLResponse)
async def remove_override(request: Request, who: OnCallWriter, schedule_id: str, override_id: int) -> Response:
    context = _context(request)
    try:
        actor = Actor(who, "console")
        await run_in_threadpool(overrides.remove_override, context.db, context.clock.now(), override_id, actor)
    except Refused as refused:
        return await _schedule(request, schedule_id, None, f"Override {override_id}: {refused.message}", refused.status)
    return RedirectResponse(f"/oncall/schedules/{schedule_id}?done=removed-{override_id}#overrides", 303)


@router.post("/oncall/schedules/{schedule_id}/feed", response_class=HTMLResponse)
async def calendar_link(request: Request, who: OnCallWriter, schedule_id: str) -> Response:
    """A first link is issued at once; replacing one asks first, naming the link that stops working. The form
    that asks carries the version of the link it names, so a form sent twice asks again rather than killing
    the link just shown."""
    form = await _form(request)
    context = _context(request)
    kind, subject_id = _feed_subject(form.get("whose", "schedule"), schedule_id)
    try:
        found = await run_in_threadpool(calendar_feeds.subject, context.db, kind, subject_id)
    except NotFound:
        return await not_found(request, "No schedule with this id in the catalog in force.")
    except Refused as refused:  # a person who has left the catalog
        return await _schedule(request, schedule_id, None, refused.message, 400, feed_form=form, field="whose")
    seen = form.get("replacing")
    asked = seen is not None and form.get("confirm") == "yes"
    if not asked and (seen is not None or found.feed is not None):  # replacing a link kills it: ask first
        return await _confirm(request, schedule_id, found, form)
    try:
        issued = await run_in_threadpool(
            calendar_feeds.issue_seen,
            context.db,
            kind,
            subject_id,
            context.clock.now(),
            Actor(who, "console"),
            seen or calendar_feeds.NO_FEED,
        )
    except FeedChanged as changed:
        found = await run_in_threadpool(calendar_feeds.subject, context.db, kind, subject_id)
        return await _confirm(request, schedule_id, found, form, changed.message, 409)
    except Refused as refused:  # not theirs to issue
        if asked:
            return await _confirm(request, schedule_id, found, form, refused.message, refused.status)
        return await _schedule(request, schedule_id, None, refused.message, refused.status, feed_form=form)
    log.info("calendar link issued", subject=f"{kind}:{subject_id}", by=issued.issued_by)
    return await _issued(request, schedule_id, issued)


async def _confirm(
    request: Request, schedule_id: str, found: Any, form: dict[str, str], error: str | None = None, status: int = 200
) -> HTMLResponse:
    values = await page_context(request, schedule_id=schedule_id, subject=found, form=form, error=error)
    return render(request, "oncall_feed_confirm.html", values, status_code=status)


async def _issued(request: Request, schedule_id: str, issued: IssuedFeed) -> HTMLResponse:
    context = _context(request)
    base = context.settings.public_url or str(request.base_url)
    values = await page_context(
        request, schedule_id=schedule_id, issued=issued, url=feed_url(base, issued.token), replaced=issued.subject.feed
    )
    response = render(request, "oncall_feed_link.html", values)
    response.headers.update(NOT_KEPT)
    return response


def _feed_subject(whose: str, schedule_id: str) -> tuple[SubjectKind, str]:
    if whose.startswith("person:"):
        return "person", whose.removeprefix("person:")
    return "schedule", schedule_id


def _zone_of(context: AppContext, schedule_id: str) -> str:
    with context.db.reading() as connection:
        return overrides.known_schedule(connection, schedule_id).timezone


def _local(text: str, zone: str, field: str) -> datetime | None:
    """`2026-12-01 09:30` in the schedule's timezone (a skipped time is the clock change's instant, as for
    handoffs), or with an offset; None when left empty."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{field}: {cleaned!r} is not a date and time: write it as 2026-12-01 09:30") from None
    if parsed.tzinfo is not None:
        return parsed
    try:
        return instant_of(parsed, ZoneInfo(zone))
    except OverflowError:
        raise ValueError(f"{field}: {cleaned!r} is too far from today") from None


def _missing(message: str) -> datetime:
    raise ValueError(message)


def _week(text: str) -> tuple[date | None, str | None]:
    if not text.strip():
        return None, None
    try:
        return date.fromisoformat(text.strip()), None
    except ValueError:
        return None, f"week: {text.strip()[:40]!r} is not a date: write it as 2026-12-07; showing this week instead"


def _field_of(error: str | None) -> str:
    """The form field an error names (its message starts with it), for the error summary's link."""
    words = (error or "").split()
    head = words[0].rstrip(":") if words else ""
    if head in FIELDS:
        return head
    if head == "ends_at" or "the end" in (error or ""):
        return "to"
    return "from" if "start" in (error or "") else "person"


def _reason(error: Exception) -> str:
    message: Any = getattr(error, "message", None)
    return str(message) if message else str(error)

"""The audit log in the console: `/audit` with filters (team, object kind and id, who, action, via, a range of
days), newest first, a page at a time with an "Older entries" link; `/audit/ID` for one entry whole. A filter
that cannot be read re-shows the form with the reason beside that field. Account and token events are shown
only to those who may read them (domain.audit)."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services import audit_log
from watchkeeper.services.audit_log import AuditQuery
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.web.access import Reader
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
FIELDS = ("team", "kind", "id", "who", "action", "via", "from", "to")
EARLIEST_YEAR, LATEST_YEAR = 1970, 8999
VIA_NAMES = {
    "console": "The console",
    "api": "The API",
    "cli": "A command",
    "link": "A page link",
    "engine": "The engine",
    "server": "The server",
}


class BadFilter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, who: Reader) -> HTMLResponse:
    context: AppContext = request.app.state.context
    form = {key: request.query_params.get(key, "")[:200] for key in FIELDS}
    try:
        query = _query(form, request.query_params.get("before", ""))
        found = await run_in_threadpool(audit_log.page, context.db, who, query)
    except BadFilter as bad:
        return await _page(request, form, None, bad.message, bad.field)
    except Refused as refused:
        return await _page(request, form, None, _sentence(refused.message), _field_of(refused.message))
    older = None
    if found.next_before is not None:
        older = _link(form, before=str(found.next_before))
    return await _page(request, form, found.entries, older=older, first=not request.query_params.get("before"))


@router.get("/audit/{event_id}", response_class=HTMLResponse)
async def audit_entry(request: Request, who: Reader, event_id: str) -> HTMLResponse:
    context: AppContext = request.app.state.context
    if not (event_id.isascii() and event_id.isdigit() and len(event_id) <= 9):
        return await not_found(request, f"audit entry {event_id[:40]}")
    try:
        found = await run_in_threadpool(audit_log.entry, context.db, who, int(event_id))
    except NotFound:
        return await not_found(request, f"audit entry {event_id}")
    return render(request, "audit_entry.html", await page_context(request, entry=found))


async def _page(
    request: Request,
    form: dict[str, str],
    entries: list[Any] | None,
    error: str | None = None,
    field: str | None = None,
    older: str | None = None,
    first: bool = True,
) -> HTMLResponse:
    via_items = [{"value": "", "text": "Anything"}] + [
        {"value": value, "text": text, "selected": form.get("via") == value} for value, text in VIA_NAMES.items()
    ]
    values = await page_context(
        request,
        form=form,
        entries=entries,
        error=error,
        error_field=field,
        older=older,
        first=first,
        newest=_link(form),
        via_items=via_items,
    )
    return render(request, "audit.html", values, status_code=400 if error else 200)


def _link(form: dict[str, str], **more: str) -> str:
    kept = {key: value for key, value in form.items() if value}
    query = urlencode({**kept, **more})
    return f"/audit?{query}" if query else "/audit"


def _query(form: dict[str, str], before: str) -> AuditQuery:
    since, until = _day(form["from"], "from"), _day(form["to"], "to")
    if since and until and until < since:
        raise BadFilter("to", "The last day must be the same as or after the first day")
    cursor = None
    if before:
        if not (before.isascii() and before.isdigit() and len(before) <= 9):
            raise BadFilter("team", "The page asked for does not exist: start again from the newest entries")
        cursor = int(before)
    return AuditQuery(
        team=form["team"] or None,
        kind=form["kind"] or None,
        object_id=form["id"] or None,
        who=form["who"] or None,
        action=form["action"] or None,
        via=form["via"] or None,
        since=audit_log.day_start(since) if since else None,
        until=audit_log.day_end(until) if until else None,
        before=cursor,
    )


def _day(text: str, field: str) -> date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise BadFilter(field, f"Enter the {field} day as a date, such as 2026-11-27") from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise BadFilter(field, f"Enter the {field} day between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return day


def _field_of(message: str) -> str:
    """The form field a refusal from the service names first (`team: ...`, `object id: ...`)."""
    name = message.split(":", 1)[0].strip()
    return {"object id": "id", "since": "from", "until": "to"}.get(name, name if name in FIELDS else "team")


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]

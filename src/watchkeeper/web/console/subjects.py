"""The page of one service or platform: its owner, its checks and their state, each check's 90-day uptime bar
and 24-hour response-time chart, and its latest state changes."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.services.subject_pages import CheckOnPage, read_subject_page
from watchkeeper.store.subjects import Kind
from watchkeeper.web.access import Reader
from watchkeeper.web.console.charts import ResponseChart, UptimeBar, response_chart, uptime_bar
from watchkeeper.web.console.views import not_found, page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class CheckCharts:
    check: CheckOnPage
    uptime: UptimeBar
    response: ResponseChart


@router.get("/services/{service_id}", response_class=HTMLResponse)
async def service_page(request: Request, who: Reader, service_id: str) -> HTMLResponse:
    return await _subject_page(request, "service", service_id)


@router.get("/platforms/{platform_id}", response_class=HTMLResponse)
async def platform_page(request: Request, who: Reader, platform_id: str) -> HTMLResponse:
    return await _subject_page(request, "platform", platform_id)


async def _subject_page(request: Request, kind: Kind, subject_id: str) -> HTMLResponse:
    context: AppContext = request.app.state.context
    if not is_valid_id(subject_id):  # cannot exist, and PostgreSQL refuses some such text outright
        return await not_found(request, f"There is no {kind} with that id.")
    now = context.clock.now()
    page = await run_in_threadpool(read_subject_page, context.db, kind, subject_id, now)
    if page is None:
        return await not_found(request, f"There is no {kind} called ‘{subject_id}’.")
    charts = [_charts(check) for check in page.checks]
    values = await page_context(request, page=page, subject=page.subject, charts=charts, now=now)
    return render(request, "subject.html", values)


def _charts(check: CheckOnPage) -> CheckCharts:
    label = check.row.name or check.row.id
    return CheckCharts(
        check,
        uptime_bar(check.history, label),
        response_chart(check.history, check.row.interval_seconds, label),
    )

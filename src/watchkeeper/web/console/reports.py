"""On-call reports in the console: a page with a table per team and a table per person, and each table as CSV
(ADR 0037). A period or team that cannot be reported on is a 400 that says why, never a 500."""

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.report_periods import recent_quarters
from watchkeeper.services.oncall_report_formats import KINDS, csv_text, file_name, kind_of
from watchkeeper.services.oncall_reports import (
    OnCallReport,
    ReportRefused,
    ReportRequest,
    on_call_report,
    team_names,
)
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import Reader
from watchkeeper.web.console.views import page_context, render
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)
QUARTERS_OFFERED = 8
"""Two years of quarters to choose from; any other can be typed into the address."""
Text = Annotated[str | None, Query()]
From = Annotated[str | None, Query(alias="from")]
To = Annotated[str | None, Query(alias="to")]


@router.get("/reports/on-call", response_class=HTMLResponse)
async def on_call(
    request: Request, who: Reader, team: Text = None, first: From = None, last: To = None, quarter: Text = None
) -> HTMLResponse:
    asked = ReportRequest(team=team, first_day=first, last_day=last, quarter=quarter)
    context: AppContext = request.app.state.context
    try:
        report = await _report(request, asked)
    except ReportRefused as refused:
        values = await page_context(
            request,
            report=None,
            error=refused.message,
            error_field=refused.field,
            asked=asked,
            quarters=_quarters(context.clock.now().date()),
            team_names=await run_in_threadpool(team_names, context.db),
        )
        return render(request, "oncall_report.html", values, status_code=400)
    csv_links = {kind: f"/reports/on-call.csv?{urlencode({'kind': kind, **_query(report)})}" for kind in KINDS}
    values = await page_context(
        request,
        report=report,
        error=None,
        asked=asked,
        quarters=_quarters(report.today),
        team_names=report.team_names,
        csv_links=csv_links,
    )
    return render(request, "oncall_report.html", values)


@router.get("/reports/on-call.csv", response_class=PlainTextResponse)
async def on_call_csv(
    request: Request,
    who: Reader,
    kind: Text = None,
    team: Text = None,
    first: From = None,
    last: To = None,
    quarter: Text = None,
) -> Response:
    chosen = kind_of(kind)
    if chosen is None:
        given = f", not {kind[:40]!r}" if kind else ""
        return _bad(f"kind must be teams or people{given}")
    try:
        report = await _report(request, ReportRequest(team=team, first_day=first, last_day=last, quarter=quarter))
    except Refused as refused:
        return _bad(refused.message)
    return Response(
        csv_text(report, chosen),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{file_name(report, chosen)}"'},
    )


async def _report(request: Request, asked: ReportRequest) -> OnCallReport:
    context: AppContext = request.app.state.context
    return await run_in_threadpool(on_call_report, context.db, asked, context.clock.now())


def _query(report: OnCallReport) -> dict[str, str]:
    """The report's team and period as the address gives them, fixed: a CSV downloaded tomorrow from today's
    page holds the same days."""
    period = report.period
    days = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
    if period.quarter:
        days = {"quarter": period.quarter}
    return ({"team": report.team_id} if report.team_id else {}) | days


def _quarters(today: date) -> list[str]:
    return recent_quarters(today, QUARTERS_OFFERED)


def _bad(message: str) -> PlainTextResponse:
    return PlainTextResponse(f"{message}\n", status_code=400)

"""On-call reports for programs: both tables as JSON, with times in seconds (ADR 0037)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.oncall_report_formats import as_json
from watchkeeper.services.oncall_reports import ReportRefused, ReportRequest, on_call_report
from watchkeeper.web.access import Reader
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["reports"])
Text = Annotated[str | None, Query(max_length=100)]


@router.get("/reports/on-call", responses={400: {"description": "a period or team it cannot report on"}})
async def on_call(
    request: Request,
    who: Reader,
    team: Text = None,
    first_day: Annotated[str | None, Query(alias="from", max_length=100, description="YYYY-MM-DD")] = None,
    last_day: Annotated[str | None, Query(alias="to", max_length=100, description="YYYY-MM-DD, included")] = None,
    quarter: Annotated[str | None, Query(max_length=100, description="such as 2026-Q4")] = None,
) -> dict[str, Any]:
    """Pages, out-of-hours pages, and the times to acknowledge and resolve, per team and per person, over whole
    days in the organisation's timezone (by default the last 28)."""
    context: AppContext = request.app.state.context
    asked = ReportRequest(team=team, first_day=first_day, last_day=last_day, quarter=quarter)
    try:
        report = await run_in_threadpool(on_call_report, context.db, asked, context.clock.now())
    except ReportRefused as refused:
        raise Problem(400, "Bad request", refused.message, field=refused.field) from None
    return as_json(report)

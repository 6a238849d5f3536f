"""Checks, with their state now, and each check's raw results (newest first, with their timings)."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.catalog.types import Severity
from watchkeeper.domain.durations import parse_duration
from watchkeeper.services import check_results
from watchkeeper.services.catalogue import CheckView
from watchkeeper.services.catalogue_lists import CheckFilter, check_page, find_check
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ObjectId, PlatformFilter, ServiceFilter, TeamFilter, context_of
from watchkeeper.web.api.lists import BigInt, Cursor, Limit, Listing, ListOf, Since, Until, in_range
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["checks"])
CHECKS = Listing("checks", (str,))
RESULTS = Listing("check-results", (datetime, BigInt))
Status = Literal["up", "down", "unknown"]


class CheckOut(BaseModel):
    id: str
    type: str
    name: str | None
    interval_seconds: float
    severity: str
    paused: bool
    origin: str
    service: str | None
    platform: str | None
    status: str = Field(description="up, down, or unknown before its first result")
    flapping: bool


class CheckDetailOut(CheckOut):
    last_reason: str | None = Field(description="why its latest result passed or failed")
    timeout_seconds: float | None
    down_after: int | None = Field(description="consecutive failures before DOWN")
    up_after: int | None = Field(description="consecutive successes before UP")
    labels: dict[str, str]


class ResultOut(BaseModel):
    id: int
    at: datetime
    ok: bool
    reason: str
    total_ms: float | None = Field(description="the whole probe, in milliseconds; null when it never answered")
    timings: dict[str, float | None] = Field(description="the probe's phases in milliseconds: dns, connect, tls, ...")


class CheckList(ListOf[CheckOut]):
    pass


class ResultList(ListOf[ResultOut]):
    pass


def _check(check: CheckView) -> CheckOut:
    return CheckOut(
        id=check.id,
        type=check.type,
        name=check.name,
        interval_seconds=check.interval_seconds,
        severity=check.severity,
        paused=check.paused,
        origin=check.origin,
        service=check.subject_id if check.subject_kind == "service" else None,
        platform=check.subject_id if check.subject_kind == "platform" else None,
        status=check.status,
        flapping=check.flapping,
    )


def _detail(check: CheckView) -> CheckDetailOut:
    spec = check.spec
    timeout = spec.get("timeout")
    return CheckDetailOut(
        **_check(check).model_dump(),
        last_reason=check.last_reason,
        timeout_seconds=None if timeout is None else _seconds(timeout),
        down_after=spec.get("down_after"),
        up_after=spec.get("up_after"),
        labels=spec.get("labels") or {},
    )


def _seconds(duration: str) -> float | None:
    try:
        return parse_duration(duration).total_seconds()
    except ValueError:
        return None


@router.get("/checks", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_checks(
    request: Request,
    response: Response,
    who: Reader,
    service: ServiceFilter = None,
    platform: PlatformFilter = None,
    owner: TeamFilter = None,
    type: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,32}$", description="http, tcp, dns, tls, ...")] = None,
    severity: Severity | None = None,
    status: Status | None = None,
    paused: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CheckList:
    """Checks in order of id, on services and platforms; `owner` is the team that owns the service or platform."""
    wanted = CheckFilter(service, platform, owner, type, severity, status, paused)
    page = await attempt(check_page, context_of(request).db, wanted, CHECKS.after(cursor), limit)
    return CheckList(items=[_check(c) for c in page.items], next=CHECKS.next_of(request, response, page))


@router.get("/checks/{check_id}", responses={404: {"description": "no such check"}})
async def get_check(request: Request, who: Reader, check_id: ObjectId) -> CheckDetailOut:
    check = await attempt(find_check, context_of(request).db, check_id)
    if check is None:
        raise Problem(404, "Not found", f"no check '{check_id}'")
    return _detail(check)


@router.get(
    "/checks/{check_id}/results",
    responses={
        400: {"description": "a cursor that is not one of this list's, or a period that ends before it starts"},
        404: {"description": "no such check"},
    },
)
async def list_results(
    request: Request,
    response: Response,
    who: Reader,
    check_id: ObjectId,
    since: Since = None,
    until: Until = None,
    ok: Annotated[bool | None, Query(description="only passes (true) or only failures (false)")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ResultList:
    """The check's raw results, newest first. Raw results are kept for days; older ones are in rollups."""
    window = in_range(since, until)
    db = context_of(request).db
    page = await attempt(check_results.results, db, check_id, window, ok, RESULTS.after(cursor), limit)
    items = [ResultOut.model_validate(result) for result in page.items]
    return ResultList(items=items, next=RESULTS.next_of(request, response, page))

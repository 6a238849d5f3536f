"""Running a use case from an API handler: off the event loop, its refusals as problem documents."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.durations import parse_duration
from watchkeeper.services.refusals import Refused
from watchkeeper.web.problems import Problem

T = TypeVar("T")
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 409: "Conflict"}


async def attempt(action: Callable[..., T], *args: Any) -> T:
    try:
        return await run_in_threadpool(action, *args)
    except Refused as refused:
        raise Problem(refused.status, TITLES.get(refused.status, "Bad request"), refused.message) from None


def duration_of(text: str | None, field: str = "duration") -> timedelta | None:
    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as error:
        raise Problem(400, "Bad request", f"{field}: {error}") from None

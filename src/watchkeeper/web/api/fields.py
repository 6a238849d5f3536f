"""Parameters the API's routes share: ids in paths and filters, checked before any query runs (a NUL or an
over-long value must be a 422 on every database, never an error from PostgreSQL)."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path, Query, Request

from watchkeeper.catalog.types import ID_PATTERN
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

ID_TEXT = "lower-case letters, digits, '-' and '_'"
ObjectId = Annotated[str, Path(pattern=ID_PATTERN, description=ID_TEXT)]
NumberId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def id_filter(what: str) -> object:
    return Query(pattern=ID_PATTERN, description=f"only {what} (an id: {ID_TEXT})")


TeamFilter = Annotated[str | None, id_filter("this team's")]
ServiceFilter = Annotated[str | None, id_filter("this service's")]
PlatformFilter = Annotated[str | None, id_filter("this platform's")]


def context_of(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def instant(at: datetime | None, name: str) -> datetime | None:
    """An aware instant in UTC (UTC when given without an offset), between the years 1900 and 9000."""
    if at is None:
        return None
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= aware <= LATEST
    except OverflowError:
        inside = False
    if not inside:
        message = "give an instant between the years 1900 and 9000"
        errors = [{"location": f"query.{name}", "message": message}]
        raise Problem(400, "Bad request", f"{name}: {message}", errors=errors)
    return aware.astimezone(UTC)

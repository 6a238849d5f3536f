"""One shape for every list of the API (ADR 0040): `{"items": [...], "next": cursor or null}`, a `Link` header
to the next page, `limit` (1 to 500, 50 when left out) and an opaque `cursor`.

A cursor is the base64url of the key of the last item shown, with the name of the list and its order. A cursor
that does not decode, or was made by another list or another order of this one, is a 400 naming `cursor`;
never a 500."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.web.api.fields import EARLIEST, LATEST, instant
from watchkeeper.web.problems import Problem

T = TypeVar("T")
VERSION = 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items a page, 1 to {MAX_LIMIT}")]
Cursor = Annotated[
    str | None,
    Query(max_length=1000, description="the `next` of the page before; leave out for the first page"),
]
Since = Annotated[datetime | None, Query(description="from this instant, included; UTC when no offset is given")]
Until = Annotated[datetime | None, Query(description="up to this instant, excluded; UTC when no offset is given")]


class BigInt(int):
    """A key of 64 bits (the ids of raw results); a plain `int` key is 32 bits, as its column is on PostgreSQL,
    which refuses to compare with a larger value."""


class ListOf(BaseModel, Generic[T]):
    items: list[T]
    next: str | None = Field(description="the cursor of the next page, or null on the last page")


@dataclass(frozen=True)
class Listing:
    """One list of the API: its name in its cursors, and the types of the values of its key."""

    name: str
    key: tuple[type, ...]

    def after(self, cursor: str | None) -> Key | None:
        """The key a cursor holds; a 400 naming `cursor` when it is not one of this list's."""
        if cursor is None:
            return None
        payload = _decoded(cursor)
        if not (isinstance(payload, list) and len(payload) == 3 and payload[0] == VERSION):
            raise _bad_cursor("it is not a cursor of this API, or of an older version of it; start from the first page")
        if payload[1] != self.name:
            raise _bad_cursor("it was made for another list, or another order of this one; start from the first page")
        values = payload[2]
        if not isinstance(values, list) or len(values) != len(self.key):
            raise _bad_cursor("it does not hold a position in this list")
        return tuple(_value(kind, value) for kind, value in zip(self.key, values, strict=True))

    def cursor(self, key: Key) -> str:
        values = [value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value for value in key]
        text = json.dumps([VERSION, self.name, values], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode("ascii")

    def next_of(self, request: Request, response: Response, page: Page[Any]) -> str | None:
        """The page's `next` cursor, also set as a `Link: <...>; rel="next"` header relative to this server."""
        if page.next is None:
            return None
        cursor = self.cursor(page.next)
        query = [(name, value) for name, value in request.query_params.multi_items() if name != "cursor"]
        query.append(("cursor", cursor))
        response.headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
        return cursor


def in_range(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    """`since` and `until` as aware instants, UTC when given without an offset; a 400 when they are reversed."""
    since, until = instant(since, "since"), instant(until, "until")
    if since is not None and until is not None and until <= since:
        message = "until must come after since"
        raise Problem(400, "Bad request", message, errors=[{"location": "query.until", "message": message}])
    return since, until


def utc(at: datetime | None) -> datetime | None:
    """An instant given without an offset is taken as UTC."""
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=UTC)


def _decoded(cursor: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise _bad_cursor("it does not decode; pass the `next` of the page before, unchanged") from None


def _value(kind: type, value: Any) -> Any:
    """A value of a key as its list's key has it, within what every database compares without error."""
    if kind is datetime and isinstance(value, str):
        return _instant(value)
    if kind in (int, BigInt) and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) < (2**63 if kind is BigInt else 2**31):
            return value
    elif kind is str and isinstance(value, str) and _storable(value):
        return value
    raise _bad_cursor("it does not hold a position in this list")


def _instant(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None and EARLIEST <= parsed <= LATEST:
            return parsed
    except (ValueError, OverflowError):
        pass
    raise _bad_cursor("it does not hold a position in this list")


def _storable(text: str) -> bool:
    """Text any database can compare: not too long, no NUL (PostgreSQL refuses it), no lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(text) <= 1000 and "\x00" not in text


def _bad_cursor(reason: str) -> Problem:
    message = f"not a cursor of this list: {reason}"
    return Problem(400, "Bad request", f"cursor: {message}", errors=[{"location": "query.cursor", "message": message}])

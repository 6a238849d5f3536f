"""Paging the lists of audit entries, accounts and tokens in the shape every list of the API takes:
`{"items": [...], "next": cursor or null}`, a `Link: <...>; rel="next"` header, `limit` (1 to 500, 50 when
left out) and an opaque `cursor`.

A cursor is the base64url of `[1, list name, [id]]`: the version, the list it belongs to, and the id of the
last item shown (these lists run by id, newest or lowest first). A cursor that does not decode, or belongs to
another list, is a 400 naming `cursor`, never a 500."""

import base64
import binascii
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request, Response

from watchkeeper.web.problems import Problem

VERSION = 1
LARGEST_ID = 2**31 - 1
Limit = Annotated[int, Query(ge=1, le=500, description="items a page, 1 to 500")]
Cursor = Annotated[
    str | None, Query(max_length=1000, description="the `next` of the page before; leave out for the first page")
]


def read_cursor(cursor: str | None, name: str) -> int | None:
    """The id a cursor holds, or None for the first page."""
    if cursor is None:
        return None
    try:
        payload: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError):
        raise _bad("it does not decode; pass the `next` of the page before, unchanged") from None
    if not (isinstance(payload, list) and len(payload) == 3 and payload[0] == VERSION and payload[1] == name):
        raise _bad("it was made for another list, or by another version of this API; start from the first page")
    key = payload[2]
    if not (isinstance(key, list) and len(key) == 1 and type(key[0]) is int and 0 < key[0] <= LARGEST_ID):
        raise _bad("it does not hold a position in this list")
    return int(key[0])


def cursor_of(name: str, key: int) -> str:
    text = json.dumps([VERSION, name, [key]], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode("ascii")


def next_link(request: Request, response: Response, name: str, key: int | None) -> str | None:
    """The next page's cursor, also set as a `Link` header relative to this server; None on the last page."""
    if key is None:
        return None
    cursor = cursor_of(name, key)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", cursor)]
    response.headers["Link"] = f'<{request.url.path}?{urlencode(query)}>; rel="next"'
    return cursor


def _bad(reason: str) -> Problem:
    message = f"not a cursor of this list: {reason}"
    return Problem(400, "Bad request", f"cursor: {message}", errors=[{"location": "query.cursor", "message": message}])

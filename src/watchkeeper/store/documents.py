"""JSON columns as every backend stores them: the same documents refused on SQLite as on PostgreSQL.

PostgreSQL's jsonb refuses NaN and Infinity, which are not JSON; Python's json module writes them by default, so
SQLite would keep them and hand them on to every channel and API answer that serialises the row. Writing is
strict on both backends; reading maps any NaN or Infinity a SQLite database kept before this rule to null, so a
row written then cannot stop the passes that read it.
"""

import json
from typing import Any


def dumps(value: Any) -> str:
    """`value` as JSON; ValueError for NaN or an infinity, as PostgreSQL refuses them."""
    return json.dumps(value, allow_nan=False)


def loads(text: str | bytes) -> Any:
    """A stored document; NaN and Infinity, which only an older SQLite database can hold, read as null."""
    return json.loads(text, parse_constant=_null)


def _null(_name: str) -> None:
    return None

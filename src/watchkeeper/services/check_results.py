"""A check's raw results for the API, newest first. Raw results are kept only days (rollups keep the rest)."""

from datetime import datetime
from typing import Any

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import results as store


def results(
    db: Database,
    check_id: str,
    window: tuple[datetime | None, datetime | None],
    ok: bool | None,
    after: Key | None,
    limit: int,
) -> Page[dict[str, Any]]:
    since, until = window
    with db.reading() as connection:
        if not store.check_exists(connection, check_id):
            raise NotFound(f"no check '{check_id}'")
        found = store.results(connection, check_id, since, until, ok, after, limit)
    return Page([_view(row) for row in found.items], found.next)


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "at": row["at"],
        "ok": row["ok"],
        "reason": row["reason"],
        "total_ms": row["total_ms"],
        "timings": row["timings"] or {},
    }

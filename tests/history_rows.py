"""Rows that the engine and the rollup pass would write, written directly so tests know every figure."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert

from watchkeeper.store import Database
from watchkeeper.store import tables as t


class HistoryRows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            with self.db.transaction() as connection:
                connection.execute(insert(table), rows)

    def state(
        self,
        check_id: str,
        status: str,
        *,
        since: datetime | None = None,
        failures: int = 0,
        recent: str = "",
        last_at: datetime | None = None,
        last_ok: bool | None = None,
        reason: str | None = None,
        total_ms: float | None = None,
        warning: bool = False,
    ) -> None:
        with self.db.transaction() as connection:
            connection.execute(delete(t.check_states).where(t.check_states.c.check_id == check_id))
            connection.execute(
                insert(t.check_states),
                {
                    "check_id": check_id,
                    "status": status,
                    "since": since,
                    "failures": failures,
                    "successes": 0 if failures else 1,
                    "recent": recent,
                    "last_at": last_at,
                    "last_ok": last_ok,
                    "last_reason": reason,
                    "last_timings": None if total_ms is None else {"total": total_ms},
                    "last_warning": warning,
                },
            )

    def results(self, check_id: str, rows: Iterable[tuple[datetime, bool, float | None]]) -> None:
        self._insert(
            t.check_results,
            [
                {
                    "check_id": check_id,
                    "at": at,
                    "ok": ok,
                    "reason": "ok" if ok else "failed",
                    "total_ms": ms,
                    "timings": {} if ms is None else {"total": ms},
                }
                for at, ok, ms in rows
            ],
        )

    def rollups(
        self,
        check_id: str,
        resolution: str,
        rows: Iterable[tuple[datetime, int, int] | tuple[datetime, int, int, float | None, float | None]],
    ) -> None:
        """(start, count, failures) or (start, count, failures, p50_ms, p95_ms) for each period."""
        self._insert(
            t.check_rollups,
            [
                {
                    "check_id": check_id,
                    "resolution": resolution,
                    "start": row[0],
                    "count": row[1],
                    "failures": row[2],
                    "latency_p50_ms": row[3] if len(row) > 3 else None,
                    "latency_p95_ms": row[4] if len(row) > 4 else None,
                }
                for row in rows
            ],
        )

    def change(self, check_id: str, at: datetime, before: str, after: str, reason: str, kind: str = "status") -> None:
        self._insert(
            t.check_state_changes,
            [{"check_id": check_id, "at": at, "before": before, "after": after, "reason": reason, "kind": kind}],
        )


def seed_story(rows: HistoryRows, now: datetime) -> None:
    """A day in the example catalog's life, for the browser tests and screenshots: a payment page with 90 days
    of history (a bad day, a poor day, a one-failure day and a day with no data), a platform check down, a
    flapping check and a failing one."""
    from datetime import UTC, timedelta

    day = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    failures = {3: 1, 10: 30, 20: 200}
    rows.rollups(
        "pay-frontend-home",
        "day",
        [(day - timedelta(days=n), 1440, failures.get(n, 0)) for n in range(1, 90) if n != 40],
    )
    rows.rollups(
        "pay-frontend-home",
        "hour",
        [(day + timedelta(hours=h), 120, 2 if h == 9 else 0) for h in range(now.hour)],
    )
    start = now.replace(second=0, microsecond=0) - timedelta(hours=24)
    minutes = []
    for n in range(24 * 60):
        at = start + timedelta(minutes=n)
        wave = 40 * ((n % 360) / 360)
        failed = 2 if at.hour == 9 and at.minute in (14, 15) else 0
        minutes.append((at, 2, failed, 110 + wave, 240 + 3 * wave + (900 if n % 300 == 7 else 0)))
    rows.rollups("pay-frontend-home", "minute", minutes)
    rows.state(
        "pay-frontend-home",
        "up",
        since=now - timedelta(days=3, hours=4),
        recent="1" * 20,
        last_at=now - timedelta(seconds=10),
        last_ok=True,
        reason="HTTP 200 in 123 ms",
        total_ms=123.4,
    )
    rows.change("pay-frontend-home", now - timedelta(days=10, hours=3), "up", "down", "HTTP 502 Bad Gateway")
    rows.change("pay-frontend-home", now - timedelta(days=3, hours=4), "down", "up", "HTTP 200 in 140 ms")
    rows.state(
        "paas-api",
        "down",
        since=now - timedelta(hours=2, minutes=5),
        failures=250,
        recent="0" * 20,
        last_at=now - timedelta(seconds=5),
        last_ok=False,
        reason="HTTP 503 Service Unavailable",
    )
    rows.state(
        "notify-api-status",
        "up",
        since=now - timedelta(days=1),
        recent="10" * 10,
        last_at=now - timedelta(seconds=20),
        last_ok=False,
        reason="timed out after 10s",
    )
    rows.state(
        "notify-smtp",
        "up",
        since=now - timedelta(days=5),
        failures=1,
        recent="1" * 19 + "0",
        last_at=now - timedelta(seconds=30),
        last_ok=False,
        reason="connection refused",
    )

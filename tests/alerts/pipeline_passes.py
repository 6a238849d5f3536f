"""The alert pipeline on a fake clock, for the pipeline tests: a catalog applied, checks' state changes written as
the engine writes them, the engine's alerting pass run, and the outbox read back."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, in support hours

DIRECT_ROUTES = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: pay
    name: Pay
    channels:
      - {id: pay-pager, type: inbox}
      - {id: pay-chat, type: inbox}
      - {id: pay-oncall, type: inbox}
    routes:
      - match: {severity: page}
        notify: PAY_PAGE
      - notify: PAY_REST
  - id: re
    name: RE
    platform_team: true
    channels:
      - {id: re-pager, type: inbox}
    routes:
      - notify: [channel:re-pager]
        group_wait: 0s
platforms:
  - {id: paas, name: PaaS, owner: re, checks: [{id: paas-api, type: tcp, host: localhost, port: 1}]}
services:
  - id: pay-api
    name: Payments API
    owner: pay
    platform: paas
    checks:
      - {id: pay-api-0, type: tcp, host: localhost, port: 1}
      - {id: pay-api-1, type: tcp, host: localhost, port: 1}
"""
"""Routes straight to channels, without escalation: pay's pages go to PAY_PAGE and the rest to PAY_REST; the
platform team's to its pager at once."""


def direct_routes(page: str = "[channel:pay-pager]", rest: str = "[channel:pay-chat]") -> str:
    """DIRECT_ROUTES with pay's targets for pages and for the rest."""
    return DIRECT_ROUTES.replace("PAY_PAGE", page).replace("PAY_REST", rest)


def apply_catalog(db: Database, tmp_path: Path, clock: FixedClock, catalog: str) -> Path:
    """Writes `catalog` to a file in `tmp_path` and applies it as the CLI would; returns the file."""
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli")
    assert result.ok, result.problems
    return path


def state_change(db: Database, check_id: str, at: datetime, after: str = "down") -> None:
    """A check confirmed DOWN (or UP again), as the engine records it."""
    before = "up" if after == "down" else "down"
    with db.transaction() as connection:
        connection.execute(
            insert(t.check_state_changes).values(
                check_id=check_id, at=at, before=before, after=after, reason="connection refused", kind="status"
            )
        )


def failing_once(db: Database, check_id: str, at: datetime) -> None:
    """A check that has failed once and is still UP, as the state table says before `down_after` is reached."""
    row = {"check_id": check_id, "status": "up", "since": at, "failures": 1, "successes": 0, "recent": "10"}
    with db.transaction() as connection:
        connection.execute(insert(t.check_states).values(**row, last_at=at, last_ok=False, last_reason="refused"))


def run_pass(db: Database, clock: FixedClock) -> None:
    """One pass of the engine's alerting duty: state changes into alerts, due groups and notices into the outbox."""
    Alerting(db, clock, Outbox()).run_pass()


def outbox_rows(db: Database) -> list[dict[str, Any]]:
    """Every notification in the outbox, oldest first."""
    with db.reading() as connection:
        rows = connection.execute(select(t.notifications).order_by(t.notifications.c.id)).mappings()
        return [dict(row) for row in rows]


def told(db: Database, channel_id: str, dedup_key: str) -> list[dict[str, Any]]:
    """The notifications to `channel_id` that carry the alert with `dedup_key`."""
    return [
        row
        for row in outbox_rows(db)
        if row["channel_id"] == channel_id and dedup_key in [a["dedup_key"] for a in row["message"]["alerts"]]
    ]

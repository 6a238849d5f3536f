"""Start and end notices of maintenance windows that announce, through each owning team's info route."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from watchkeeper.catalog import load_catalog
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.notices import send_due
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: re
    name: RE
    platform_team: true
    channels: [{id: re-pager, type: inbox}, {id: re-chat, type: inbox}]
    routes:
      - {match: {severity: page}, notify: ['channel:re-pager']}
      - {notify: ['channel:re-chat']}
  - id: pay
    name: Pay
    channels: [{id: pay-chat, type: inbox}]
platforms:
  - id: paas
    name: PaaS
    owner: re
    maintenance:
      - id: patching
        name: Patching
        start: "2026-11-26T12:05"
        duration: 10m
        timezone: Europe/London
        announce: true
      - {id: quiet, name: Quiet work, start: "2026-11-26T12:05", duration: 10m, timezone: Europe/London}
services:
  - {id: pay-api, name: Payments API, owner: pay, platform: paas}
"""


def _catalog(db: Database, tmp_path: Path) -> FixedClock:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    clock = FixedClock(T0)
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli").ok
    return clock


def _outbox(db: Database) -> list[dict[str, Any]]:
    with db.reading() as connection:
        return [dict(r) for r in connection.execute(select(t.notifications).order_by(t.notifications.c.id)).mappings()]


def test_an_announced_window_tells_its_owners_when_it_starts_and_ends(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    assert send_due(db, clock.now(), Outbox()) == 0  # the first pass only marks where notices start from

    clock.advance(timedelta(minutes=6))
    assert send_due(db, clock.now(), Outbox()) == 1
    assert send_due(db, clock.now(), Outbox()) == 0, "told once"
    clock.advance(timedelta(minutes=10))
    send_due(db, clock.now(), Outbox())

    started, ended = _outbox(db)
    assert started["channel_id"] == ended["channel_id"] == "re-chat", "the info route, not the pager"
    assert started["message"]["title"] == "Maintenance started: Patching (platform paas), until 2026-11-26 12:15 UTC"
    assert ended["message"]["title"] == "Maintenance ended: Patching (platform paas); alerts are notified again"
    assert (started["action"], ended["action"]) == ("trigger", "resolve")
    assert started["idempotency_key"] != ended["idempotency_key"]


def test_a_runtime_window_over_a_service_tells_the_services_team(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    send_due(db, clock.now(), Outbox())
    with db.transaction() as connection:
        connection.execute(
            insert(t.runtime_maintenance).values(
                name="Database upgrade",
                scope={"services": ["pay-api"]},
                starts_at=T0 + timedelta(minutes=1),
                ends_at=T0 + timedelta(hours=1),
                announce=True,
                author="fatima",
                created_at=T0,
            )
        )

    clock.advance(timedelta(minutes=2))
    send_due(db, clock.now(), Outbox())

    [notice] = _outbox(db)
    assert (notice["team_id"], notice["channel_id"]) == ("pay", "pay-chat"), "no route: every channel of the team"
    assert notice["message"]["title"].startswith("Maintenance started: Database upgrade (service pay-api)")

"""Start and end notices of maintenance windows that announce, through each owning team's info route."""

from datetime import timedelta
from pathlib import Path

from pipeline_passes import T0, apply_catalog, direct_routes, outbox_rows, run_pass
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from watchkeeper.services.clock import FixedClock
from watchkeeper.services.notices import send_due
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database
from watchkeeper.store import tables as t

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
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, CATALOG)
    return clock


def test_an_announced_window_tells_its_owners_when_it_starts_and_ends(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    assert send_due(db, clock.now(), Outbox()) == 0  # the first pass only marks where notices start from

    clock.advance(timedelta(minutes=6))
    assert send_due(db, clock.now(), Outbox()) == 1
    assert send_due(db, clock.now(), Outbox()) == 0, "told once"
    clock.advance(timedelta(minutes=10))
    send_due(db, clock.now(), Outbox())

    started, ended = outbox_rows(db)
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

    [notice] = outbox_rows(db)
    assert (notice["team_id"], notice["channel_id"]) == ("pay", "pay-chat"), "no route: every channel of the team"
    assert notice["message"]["title"].startswith("Maintenance started: Database upgrade (service pay-api)")


def test_a_window_over_two_teams_that_share_a_channel_announces_and_notices_go_on(db: Database, tmp_path: Path) -> None:
    """Each team's start notice went to the one channel they share, under one key, and the second insert failed
    every alerting pass from then on. Both are sent, and the passes go on."""
    clock = FixedClock(T0)
    # Pay also tells the platform team's channel of what is not a page (a shared operations room).
    apply_catalog(db, tmp_path, clock, direct_routes(rest="[channel:pay-chat, channel:re-pager]"))
    run_pass(db, clock)  # the notices' cursor starts now
    with db.transaction() as connection:
        connection.execute(
            insert(t.runtime_maintenance).values(
                name="Database upgrade",
                scope={"checks": [], "services": ["pay-api"], "platforms": ["paas"]},
                starts_at=T0 + timedelta(minutes=1),
                ends_at=T0 + timedelta(hours=1),
                announce=True,
                author="asha",
                created_at=T0,
            )
        )
    clock.advance(timedelta(minutes=2))

    failures: list[str] = []
    for _ in range(3):
        try:
            run_pass(db, clock)
        except IntegrityError as error:  # the engine logs this and runs the same pass again 0.2 s later
            failures.append(type(error).__name__)
        clock.advance(timedelta(seconds=1))

    assert failures == [], "every alerting pass fails from now on"
    assert {row["channel_id"] for row in outbox_rows(db)} >= {"pay-chat", "re-pager"}, "the start notices were sent"

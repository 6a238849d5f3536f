"""Problems an outside review of the alert pipeline (issue 4) found, one test each, most serious first; each
failed until its fix. The numbers in the section headings are the review report's."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, in support hours

# Pay pages through pay-pager and is told everything else through pay-chat; the platform team pages at once.
# PAY_PAGE and PAY_REST are replaced by the routes' targets where a test needs other ones.
CATALOG = """
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
    integrations:
      - {id: pay-jobs, type: generic}
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


def _catalog_text(page: str = "[channel:pay-pager]", rest: str = "[channel:pay-chat]") -> str:
    return CATALOG.replace("PAY_PAGE", page).replace("PAY_REST", rest)


def _apply(db: Database, tmp_path: Path, clock: FixedClock, catalog: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(catalog)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli")
    assert result.ok, result.problems
    return path


def _failing_once(db: Database, check_id: str, at: datetime) -> None:
    row = {"check_id": check_id, "status": "up", "since": at, "failures": 1, "successes": 0, "recent": "10"}
    with db.transaction() as connection:
        connection.execute(insert(t.check_states).values(**row, last_at=at, last_ok=False, last_reason="refused"))


def _change(db: Database, check_id: str, at: datetime, after: str = "down") -> None:
    before = "up" if after == "down" else "down"
    with db.transaction() as connection:
        connection.execute(
            insert(t.check_state_changes).values(
                check_id=check_id, at=at, before=before, after=after, reason="connection refused", kind="status"
            )
        )


def _pass(db: Database, clock: FixedClock) -> None:
    """One pass of the engine's alerting duty: state changes into alerts, due groups and notices into the outbox."""
    Alerting(db, clock, Outbox()).run_pass()


def _outbox(db: Database) -> list[dict[str, Any]]:
    with db.reading() as connection:
        rows = connection.execute(select(t.notifications).order_by(t.notifications.c.id)).mappings()
        return [dict(row) for row in rows]


def _told(db: Database, channel_id: str, dedup_key: str) -> list[dict[str, Any]]:
    """The notifications to `channel_id` that carry the alert with `dedup_key`."""
    return [
        row
        for row in _outbox(db)
        if row["channel_id"] == channel_id and dedup_key in [a["dedup_key"] for a in row["message"]["alerts"]]
    ]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


# --- 1 ---------------------------------------------------------------------------------------------------------


def test_a_service_still_down_after_its_platform_recovers_pages_its_team(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    _change(db, "paas-api", T0)
    _change(db, "pay-api-0", T0 + timedelta(seconds=1))
    clock.advance(timedelta(seconds=11))
    _pass(db, clock)
    assert _told(db, "pay-chat", "check:pay-api-0"), "while the PaaS is down, pay is told without being paged"

    # The platform comes back; the service does not: its failure is now its team's own.
    clock.advance(timedelta(minutes=2))
    _change(db, "paas-api", clock.now(), after="up")
    for _ in range(3):
        _pass(db, clock)
        clock.advance(timedelta(minutes=5))
        _pass(db, clock)

    assert _told(db, "pay-pager", "check:pay-api-0"), "pay-api has been DOWN 15 minutes on a healthy PaaS, unpaged"


# --- 2 ---------------------------------------------------------------------------------------------------------


def test_a_route_edited_in_the_catalog_is_the_one_new_alerts_take(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    _change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    _pass(db, clock)
    _change(db, "pay-api-0", clock.now(), after="up")
    clock.advance(timedelta(minutes=2))
    _pass(db, clock)
    assert [row["channel_id"] for row in _outbox(db)] == ["pay-pager", "pay-pager"]

    # The team moves its pages to a new channel and drops the old one, as teams do.
    clock.advance(timedelta(days=1))
    catalog = _catalog_text(page="[channel:pay-oncall]").replace("      - {id: pay-pager, type: inbox}\n", "")
    _apply(db, tmp_path, clock, catalog)
    _change(db, "pay-api-1", clock.now())
    clock.advance(timedelta(seconds=10))
    _pass(db, clock)

    # The alert's timeline says "routed ... channel:pay-oncall", then "nobody to notify; not in the catalog:
    # pay-pager": the group still holds the route it was made with a day ago.
    assert _told(db, "pay-oncall", "check:pay-api-1"), "the page went to the route the catalog no longer has"


# --- 3 ---------------------------------------------------------------------------------------------------------


def test_a_window_over_two_teams_that_share_a_channel_announces_and_notices_go_on(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    # Pay also tells the platform team's channel of what is not a page (a shared operations room).
    _apply(db, tmp_path, clock, _catalog_text(rest="[channel:pay-chat, channel:re-pager]"))
    _pass(db, clock)  # the notices' cursor starts now
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
            _pass(db, clock)
        except IntegrityError as error:  # the engine logs this and runs the same pass again 0.2 s later
            failures.append(type(error).__name__)
        clock.advance(timedelta(seconds=1))

    assert failures == [], "every alerting pass fails from now on"
    assert {row["channel_id"] for row in _outbox(db)} >= {"pay-chat", "re-pager"}, "the start notices were sent"


# --- 6 ---------------------------------------------------------------------------------------------------------


def test_a_blip_that_nobody_was_told_of_sends_no_reminder(db: Database, tmp_path: Path, clock: FixedClock) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    _change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    _pass(db, clock)
    assert len(_outbox(db)) == 1

    # Another check of the service fails and recovers inside one group interval: a blip nobody hears of.
    _change(db, "pay-api-1", T0 + timedelta(minutes=2))
    _change(db, "pay-api-1", T0 + timedelta(minutes=2, seconds=20), after="up")
    clock.advance(timedelta(minutes=3))
    _pass(db, clock)

    titles = [row["message"]["title"] for row in _outbox(db)]
    assert titles[1:] == [], "the repeat interval is 4 h; pay was reminded of pay-api-0 after 3 minutes"


# --- 7 ---------------------------------------------------------------------------------------------------------


def test_an_open_alert_that_a_silence_matches_is_not_reminded(db: Database, tmp_path: Path, clock: FixedClock) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    _change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    _pass(db, clock)
    assert len(_outbox(db)) == 1

    # Paged, the team silences the service while it works on it (as with Alertmanager's silences).
    with db.transaction() as connection:
        connection.execute(
            insert(t.silences).values(
                matchers=[{"name": "service", "op": "=", "value": "pay-api"}],
                starts_at=T0 + timedelta(minutes=1),
                ends_at=T0 + timedelta(hours=8),
                author="fatima",
                comment="working on it",
                created_at=T0 + timedelta(minutes=1),
            )
        )
    clock.advance(timedelta(hours=4, minutes=1))
    _pass(db, clock)

    assert [row["message"]["title"] for row in _outbox(db)][1:] == [], "paged again through the silence"


# --- 9 ---------------------------------------------------------------------------------------------------------


def test_delivery_keys_of_different_notifications_differ_across_databases(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    rebuilt = Database(f"sqlite:///{tmp_path}/rebuilt.db")  # a restore, a rebuild, or staging beside production
    rebuilt.upgrade()
    try:
        for database, check in ((db, "pay-api-0"), (rebuilt, "pay-api-1")):
            here = FixedClock(T0)
            (tmp_path / check).mkdir()
            _apply(database, tmp_path / check, here, _catalog_text())
            _change(database, check, T0)
            here.advance(timedelta(seconds=10))
            _pass(database, here)
        [first], [second] = _outbox(db), _outbox(rebuilt)
    finally:
        rebuilt.dispose()

    assert first["message"]["alerts"][0]["dedup_key"] != second["message"]["alerts"][0]["dedup_key"]
    # The README tells webhook receivers to "keep the ones you have seen to ignore repeats".
    assert first["idempotency_key"] != second["idempotency_key"], "a different outage, the same delivery key"


# --- 10 --------------------------------------------------------------------------------------------------------


def test_a_platform_outage_seen_first_by_a_service_check_does_not_page_the_service_team(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    # One PaaS outage: the checks run a minute apart (the default interval) at independent phases, so the
    # service's check confirms DOWN 30 s before the platform's as often as not. By then the platform's check
    # has failed once (down_after is 2): what the engine's state table says.
    _failing_once(db, "paas-api", T0 - timedelta(seconds=20))
    _change(db, "pay-api-0", T0)
    _pass(db, clock)
    for _ in range(3):
        clock.advance(timedelta(seconds=10))
        _pass(db, clock)
    _change(db, "paas-api", T0 + timedelta(seconds=30))
    clock.advance(timedelta(seconds=10))
    _pass(db, clock)

    assert _told(db, "re-pager", "check:paas-api"), "the platform team is paged"
    assert _told(db, "pay-pager", "check:pay-api-0") == [], "one PaaS outage must not wake every team"


def test_a_service_whose_failing_platform_never_confirms_down_pages_its_team_after_the_hold(
    db: Database, tmp_path: Path, clock: FixedClock
) -> None:
    _apply(db, tmp_path, clock, _catalog_text())
    _failing_once(db, "paas-api", T0 - timedelta(seconds=20))  # and it never fails again
    _change(db, "pay-api-0", T0)
    _pass(db, clock)
    clock.advance(timedelta(seconds=30))
    _pass(db, clock)
    assert _told(db, "pay-pager", "check:pay-api-0") == [], "held while its platform may yet take the blame"

    clock.advance(timedelta(minutes=3))
    _pass(db, clock)

    assert _told(db, "pay-pager", "check:pay-api-0"), "paged once the hold is over"


# --- 11 --------------------------------------------------------------------------------------------------------


def test_rotate_json_describes_the_key_it_has_just_issued(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(_catalog_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    env["WATCHKEEPER_DATABASE_URL"] = f"sqlite:///{tmp_path}/wk.db"

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "watchkeeper", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("catalog", "apply", str(catalog))
    issued = json.loads(run("integrations", "rotate", "--id", "pay-jobs", "--json"))

    assert (issued["key_issued"], issued["hint"]) == (True, issued["key"][-4:])

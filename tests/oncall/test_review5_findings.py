"""Outside review of issue 5 (escalation, paging links, on-call commands): each test shows one problem found by
using them as a user, an attacker and a chaos monkey would, and now fixed; each docstring says what a user saw
and what they should see. Scenarios run the engine's alerting passes on a fake
clock, on SQLite and on PostgreSQL, in the pattern of tests/oncall/test_escalation_scenarios.py."""

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from paging_harness import Paging
from sqlalchemy import Connection, RowMapping, select, text

from signed_in import sign_in
from watchkeeper.channels import channel_types
from watchkeeper.cli.main import cli
from watchkeeper.services import notifying
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.alert_views import act
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.page_links import PageLinks
from watchkeeper.services.refusals import Refused
from watchkeeper.services.silences import NewSilence, create_silence
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import escalations as escalation_store
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "review5-tests-secret-key-0123456789-abcdefgh"
PUBLIC = "https://wk.example.org"
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday: asha's week on re-primary (handover Wednesdays 09:30)
SAME = {"sec-fetch-site": "same-origin"}

CATALOG = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: re
    name: RE
    platform_team: true
    people:
      - id: asha
        name: Asha
        email: asha@example.org
        phone: "+447700900101"
        notify:
          - {via: email, after: 0m}
          - {via: sms, after: 5m}
      - {id: ben, name: Ben, email: ben@example.org}
      - {id: chen, name: Chen, email: chen@example.org}
    channels:
      - {id: re-chat, type: inbox}
    schedules:
      - id: re-primary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [asha, ben], turn: 1w}
      - id: re-secondary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [chen], turn: 1w}
    escalation_policies:
      - id: re-default
        levels:
          - notify: [schedule:re-primary]
          - after: 15m
            notify: [schedule:re-secondary]
        ack_timeout: 30m
    routes:
      - escalation_policy: re-default
        group_wait: 0s
"""


def _with_route(catalog: str, schedules: str, policies: str, route: str) -> str:
    """CATALOG with more schedules, policies and a first route (so it is matched before the default one)."""
    catalog = catalog.replace("    escalation_policies:\n", schedules + "    escalation_policies:\n", 1)
    catalog = catalog.replace("    routes:\n", policies + "    routes:\n", 1)
    return catalog.replace("    routes:\n", "    routes:\n" + route, 1)


class Scenario(Paging):
    def __init__(
        self, db: Database, tmp_path: Path, catalog: str = CATALOG, start: datetime = T0, must_load: bool = True
    ) -> None:
        super().__init__(db, tmp_path, catalog, start, must_load=must_load)

    def trigger(self, key: str = "disk", team: str = "re", labels: dict[str, str] | None = None) -> int:
        alert_id = self.signal("trigger", key, team, labels or {}, f"{key} is full")
        assert alert_id is not None
        return alert_id


def _paged(sent: list[tuple[float, str]], person: str) -> list[float]:
    """When `person` was paged (their inbox gets every page at once)."""
    return [minute for minute, channel in sent if channel == f"person:{person}/inbox"]


@contextmanager
def _client(db: Database, clock: FixedClock | None = None) -> Iterator[TestClient]:
    settings = Settings(database_url=db.url, secret_key=KEY, public_url=PUBLIC)
    context = AppContext(settings, db, clock or FixedClock(T0), build_registry(db), None, None)
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        sign_in(client, db, KEY, at=context.clock.now())
        yield client


@pytest.fixture
def web(db: Database) -> Iterator[TestClient]:
    with _client(db) as client:
        yield client


def _token(link_id: int) -> str:
    return PageLinks(KEY, PUBLIC).token(link_id)


# Escalation that goes on, or stops, when it should not


def test_a_silence_made_mid_escalation_still_sends_the_text_and_pages_the_next_level(
    db: Database, tmp_path: Path
) -> None:
    """Asha is paged for db-1's disk, sees it is a known problem and silences `host=db-1` at minute 3. She still
    gets her text message at minute 5 and Chen is paged at minute 15: the escalation only looks at
    `alerts.suppressed_by`, which is set at the group's next flush, and nothing flushes the group or wakes the
    escalation when a silence is made (services/escalation.py `_send`/`_step`, store.escalations.open_alerts).
    She should see the silence take effect at once: no text, no secondary."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger("disk", labels={"host": "db-1"})
    scenario.advance(3)
    silence = NewSilence(["host=db-1"], "known: the backup filled it", duration=timedelta(hours=2))
    create_silence(db, scenario.clock.now(), silence, cli_actor("asha"))
    scenario.advance(30)

    assert not scenario.failures
    later = [channel for minute, channel in scenario.sent() if minute > 3]
    assert "person:asha/sms" not in later, "the text due at minute 5 went out though the alert was silenced"
    assert _paged(scenario.sent(), "chen") == [], "the secondary was paged for a silenced alert"


def test_renaming_the_policy_mid_escalation_ends_it_and_nobody_else_is_ever_paged(db: Database, tmp_path: Path) -> None:
    """A team renames its policy `re-default` to `re-main` (same levels; the route names the new id) while an
    alert is escalating. At minute 15 the engine ends the escalation ("policy re-default has left the catalog"),
    the alert stays triggered and unacknowledged, and nobody else is ever paged (services/escalation.py `_step`
    ends it when `policies.get(row["policy_id"])` is None). A catalog edit should never silently stop paging: it
    should go on with the policy the group's route names now, or at least tell the team's channels."""
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(1)
    result = scenario.load(CATALOG.replace("re-default", "re-main"))
    assert result.ok, result.problems
    scenario.advance(60)

    assert scenario.alert(alert_id)["status"] == "triggered"
    after_edit = [channel for minute, channel in scenario.sent() if minute > 1 and channel != "person:asha/sms"]
    assert after_edit, "an unacknowledged page alert went quiet after a catalog edit"


def test_a_new_alert_silenced_before_its_flush_cancels_the_ack_timeout_of_the_group(
    db: Database, tmp_path: Path
) -> None:
    """Asha acknowledges the disk alert at minute 2 (ack_timeout 30m). At 2.5 a noisy alert joins the group and
    she silences it at once, before the group's next flush. The acknowledged disk alert, still unresolved, is
    never paged again: the new alert woke the escalation, which (seeing an alert nobody acknowledged) set
    `next_at` to None and waits for the flush to start a new escalation; the flush sets the silenced alert
    aside, so nothing ever sets `next_at` again (services/escalation.py `_after_acknowledgement`). Asha should be
    paged again at minute 32."""
    scenario = Scenario(db, tmp_path)
    disk = scenario.trigger("disk")
    scenario.advance(2)
    act(db, disk, "acknowledge", cli_actor("asha"), scenario.clock.now())
    scenario.advance(0.5)
    scenario.trigger("noisy", labels={"host": "db-2"})
    scenario.run()
    silence = NewSilence(["host=db-2"], "noisy, ignore", duration=timedelta(hours=4))
    create_silence(db, scenario.clock.now(), silence, cli_actor("asha"))
    scenario.advance(60)

    assert scenario.alert(disk)["status"] in ("acknowledged", "triggered")
    assert [m for m in _paged(scenario.sent(), "asha") if 32 <= m <= 33], "ack_timeout never paged again"


# One bad catalog entry stops paging for everyone


def test_one_schedule_starting_in_year_one_stops_every_page_of_every_route(db: Database, tmp_path: Path) -> None:
    """The catalog accepts a layer starting at 0001-01-01T00:00 in Australia/Sydney (a placeholder date from a
    script, say). When an alert routed to it flushes, `oncall.person_on_call` raises OverflowError inside
    `flush_due`'s transaction of up to 50 groups; the pass fails, and so does every pass after it: the disk alert
    of another route is never paged either, and step_due/send_due never run (engine/alerting.py runs them after
    flush_due). `watchkeeper oncall now` already refuses that schedule ("its layers start too far"). The catalog
    should refuse it, or the bad group alone should fail; every other page should still go out."""
    catalog = _with_route(
        CATALOG,
        "      - id: legacy\n        timezone: Australia/Sydney\n        layers:\n"
        "          - {start: 0001-01-01T00:00, rotation: [ben], turn: 1w}\n",
        "      - id: legacy\n        levels:\n          - notify: [schedule:legacy]\n",
        "      - {match: {labels: {policy: legacy}}, escalation_policy: legacy, group_wait: 0s}\n",
    )
    scenario = Scenario(db, tmp_path, catalog, must_load=False)
    if not scenario.loaded.ok:
        return  # the catalog refuses it: fixed
    scenario.trigger("legacy", labels={"policy": "legacy"})
    scenario.trigger("disk")
    scenario.advance(2)

    assert _paged(scenario.sent(), "asha") == [0], f"nobody paged; every pass failed: {scenario.failures[:1]}"


def test_an_absurd_ack_timeout_once_acknowledged_stops_every_other_escalation(db: Database, tmp_path: Path) -> None:
    """A policy with `ack_timeout: 100000000w` loads (durations are only bounded by timedelta). Once its alert is
    acknowledged, `since + timeout` raises OverflowError in step_due (services/escalation.py `_acknowledged`),
    every pass from then on, so no other escalation steps and send_due never runs: the disk alert that arrives
    next is never paged to Asha, nor to Chen at minute 17. The catalog should bound durations (or the bad
    escalation alone should fail), and every other page should still go out."""
    catalog = _with_route(
        CATALOG,
        "",
        "      - id: slow\n        levels:\n          - notify: [person:ben]\n        ack_timeout: 100000000w\n",
        "      - {match: {labels: {policy: slow}}, escalation_policy: slow, group_wait: 0s}\n",
    )
    scenario = Scenario(db, tmp_path, catalog, must_load=False)
    if not scenario.loaded.ok:
        return  # the catalog refuses it: fixed
    slow = scenario.trigger("slow", labels={"policy": "slow"})
    scenario.advance(1)
    act(db, slow, "acknowledge", cli_actor("ben"), scenario.clock.now())
    scenario.advance(1)
    scenario.trigger("disk")
    scenario.advance(20)

    assert _paged(scenario.sent(), "asha") == [2], f"every pass failed: {scenario.failures[:1]}"
    assert _paged(scenario.sent(), "chen") == [17]


# Gaps and people


def test_a_gap_in_a_rota_without_a_platform_team_or_channel_is_dropped_silently(db: Database, tmp_path: Path) -> None:
    """A small organisation: one team (not marked platform_team, which the catalog does not require), a nights
    rota (18:00-08:00) and a route that pages it. An alert at noon finds nobody on call: the gap alert has no
    platform team to go to and the round has no channel to tell, so both are only a log line and a timeline
    event (services/escalation.py `_nobody_on_call`, `_nobody_at_all`). Nobody is told, which issue 5 rules out
    ("never a silent drop"). The catalog should refuse a paging policy with nowhere to fall back, or the gap
    should be raised to someone."""
    catalog = """
teams:
  - id: web
    name: Web
    people:
      - {id: asha, name: Asha, email: asha@example.org}
    schedules:
      - id: web-nights
        timezone: Europe/London
        layers:
          - start: 2026-01-05T18:00
            rotation: [asha]
            turn: 1w
            restrict: [{from: "18:00", to: "08:00"}]
    escalation_policies:
      - id: web-default
        levels:
          - notify: [schedule:web-nights]
    routes:
      - escalation_policy: web-default
        group_wait: 0s
"""
    scenario = Scenario(db, tmp_path, catalog, must_load=False)
    if not scenario.loaded.ok:
        return  # the catalog refuses it: fixed
    scenario.trigger("disk", team="web")
    scenario.advance(30)

    assert not scenario.failures
    assert scenario.sent(), "a page found nobody on call and nobody at all was told"


def test_the_same_person_twice_in_one_level_gets_every_page_twice(db: Database, tmp_path: Path) -> None:
    """A level names `schedule:re-primary` and `person:asha` (the on-call person plus the lead, who is on call
    this week). Asha gets two inbox pages, two emails and, five minutes later, two text messages for one
    alert: `_page_level` makes contacts per target without merging people. She should be paged once per level."""
    catalog = CATALOG.replace("notify: [schedule:re-primary]", "notify: [schedule:re-primary, person:asha]")
    scenario = Scenario(db, tmp_path, catalog)
    scenario.trigger()
    scenario.advance(6)

    channels = [channel for _, channel in scenario.sent()]
    assert channels.count("person:asha/inbox") == 1
    assert channels.count("person:asha/sms") == 1


# Page links


def test_a_link_from_an_ended_page_acknowledges_the_next_persons_page(db: Database, tmp_path: Path) -> None:
    """Wednesday 09:00 Asha is paged for the disk (link L1) and resolves it from the console at 09:10. At 09:30
    the rota hands over to Ben; at 09:40 a new alert in the same group pages Ben. Asha, catching up, clicks
    L1's Acknowledge: it acknowledges Ben's alert (as "asha (from a page link)") and stops Ben's escalation.
    A link acts on whatever its group has open now (services/page_links.py `_view` reads the group's open
    alerts, never asking whether the link's own escalation has ended). L1 should say its page is over."""
    start = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # Wednesday, GMT: re-primary hands over to ben at 09:30
    scenario = Scenario(db, tmp_path, start=start)
    disk = scenario.trigger("disk")
    scenario.advance(1)
    [old_link] = scenario.links()
    scenario.clock.advance(timedelta(minutes=9))
    act(db, disk, "resolve", cli_actor("asha"), scenario.clock.now())
    scenario.advance(30)
    memory = scenario.trigger("memory")
    scenario.advance(1)
    assert _paged(scenario.sent(), "ben") == [40]

    with _client(db, scenario.clock) as web:
        web.post(f"/page/{_token(old_link)}", data={"action": "acknowledge"}, headers=SAME)
    assert scenario.alert(memory)["status"] == "triggered", "Asha's old link acknowledged Ben's page"


def test_page_link_tokens_are_written_to_the_request_log(
    db: Database, tmp_path: Path, web: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Every GET and POST of `/page/<id>-<mac>` logs its full path (web/guard.py `_loggable` hides ping tokens and
    integration keys, not page links), so anyone who reads the logs, or the log service they are shipped to,
    can acknowledge or resolve a page before the person paged does. ADR 0036 says the token is never stored
    anywhere. The log should show `/page/<token>`."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    mac = _token(link_id).split("-")[1]
    with caplog.at_level(logging.INFO):
        assert web.get(f"/page/{_token(link_id)}").status_code == 200
        assert web.post(f"/page/{_token(link_id)}", data={"action": "x"}, headers=SAME).status_code == 400

    ours = [record.getMessage() for record in caplog.records if record.name.startswith("watchkeeper")]
    assert any("request" in line for line in ours), "the requests were logged"
    assert [line for line in ours if mac in line] == []


def test_the_inbox_which_shows_every_signed_page_link_may_be_cached(
    db: Database, tmp_path: Path, web: TestClient
) -> None:
    """The console's Inbox signs every page's one-click link as it is shown, but sends no `Cache-Control`, so a
    browser or a shared proxy may keep a page full of live acknowledge links, where `/page/<token>` itself is
    `no-store` for exactly that reason (ADR 0036). It should send `Cache-Control: no-store` too."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(1)
    deliverer = Deliverer(db, scenario.clock, "review5", http=None, policy=DeliveryPolicy(), types=channel_types())
    asyncio.run(deliverer.run_pass())  # the inbox channel keeps its messages when they are delivered

    inbox = web.get("/inbox")
    assert f"{PUBLIC}/page/" in inbox.text
    assert inbox.headers.get("cache-control") == "no-store"


def test_clicking_a_page_link_while_the_engine_flushes_its_group_can_deadlock_into_a_500(
    postgres_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL, the link's POST locks the escalation row (page_links `_view` -> store.escalations.get
    FOR UPDATE), then the alert, then the group row (pipeline.mark_changed). The engine's flush locks the group
    row, then the escalation (escalation.tell -> store.escalations.latest FOR UPDATE). A click while the group
    flushes (a second alert arrived a minute ago) deadlocks; PostgreSQL aborts the click, which is a 500 page
    ("Internal server error"), as page_links.act runs once, outside store.contention.in_transaction. The click
    should succeed: take the locks in one order (group first), or retry the lost race."""
    db = postgres_db
    scenario = Scenario(db, tmp_path)
    disk = scenario.trigger("disk")
    scenario.advance(1)
    [link_id] = scenario.links()
    scenario.trigger("memory")  # news for the group: due to flush again
    scenario.clock.advance(timedelta(minutes=2))
    with db.reading() as connection:
        [key] = connection.execute(select(t.alert_groups.c.key)).scalars()

    holds_group = threading.Event()
    latest = escalation_store.latest

    def latest_once_the_click_waits(connection: Connection, group_key: str) -> RowMapping | None:
        holds_group.set()  # the flush holds the group row now
        with db.reading() as watcher:
            for _ in range(200):  # until the click's transaction waits for a lock (the group row)
                query = text("select count(*) from pg_stat_activity where wait_event_type = 'Lock'")
                waiting = watcher.execute(query).scalar()
                watcher.rollback()  # a transaction sees one snapshot of pg_stat_activity
                if waiting:
                    break
                time.sleep(0.05)
        return latest(connection, group_key)

    monkeypatch.setattr(escalation_store, "latest", latest_once_the_click_waits)
    engine_failures: list[BaseException] = []

    def engine() -> None:
        try:
            with db.transaction() as connection:
                notifying.flush(connection, key, scenario.clock.now(), scenario.outbox)
        except BaseException as error:  # the engine would log it and flush at its next pass
            engine_failures.append(error)

    with _client(db, scenario.clock) as client:
        flushing = threading.Thread(target=engine)
        flushing.start()
        assert holds_group.wait(10)
        clicked = client.post(f"/page/{_token(link_id)}", data={"action": "acknowledge"}, headers=SAME)
        flushing.join(30)

    assert clicked.status_code == 200, clicked.text[:200]
    assert scenario.alert(disk)["status"] == "acknowledged"


# Acknowledging by hand with bad input


def test_acknowledging_with_a_nul_character_in_the_name_is_a_500_on_postgres(
    db: Database, tmp_path: Path, web: TestClient
) -> None:
    """`POST /api/v1/alerts/ID/acknowledge {"by": "as\\u0000ha"}` and the console's form with the same name
    answered 500 on PostgreSQL (text cannot hold NUL). Now who acts is whoever is signed in: a name in the body
    is refused, a name in the form is not read, and an account's name is checked when the account is made."""
    scenario = Scenario(db, tmp_path)
    first = scenario.trigger("one")
    second = scenario.trigger("two")

    api = web.post(f"/api/v1/alerts/{first}/acknowledge", json={"by": "as\u0000ha"})
    console = web.post(f"/alerts/{second}/resolve", data={"by": "as\u0000ha"}, headers=SAME, follow_redirects=False)
    assert api.status_code == 422, api.text[:200]
    assert console.status_code == 303, console.text[:200]
    assert scenario.alert(second)["resolved_by"] == "Asha Patel (console)"
    with pytest.raises(Refused, match="control characters"):
        create_account(
            db, scenario.clock.now(), NewAccount("x@example.org", "viewer", name="as\u0000ha"), cli_actor("tests")
        )


def test_the_console_acknowledge_without_a_name_for_a_missing_alert_is_a_500(web: TestClient) -> None:
    """Posting the acknowledge form of an alert that does not exist (deleted, mistyped, another database) with
    the name left empty renders the alert page to show the error, and `alert_page` raises NoSuchAlert, which
    nothing catches: a 500 (web/console/alerts.py `act`). It should be the console's 404."""
    answer = web.post("/alerts/99999/acknowledge", data={"by": ""}, headers=SAME)
    assert answer.status_code == 404


def test_a_console_alert_id_of_unicode_digits_is_a_500(web: TestClient) -> None:
    """`/alerts/²` (and its acknowledge form) passes `str.isdigit()`, then `int("²")` raises ValueError: a 500.
    It should be the console's 404, as for any other id that is not an alert's."""
    assert web.get("/alerts/²").status_code == 404
    assert web.post("/alerts/²/acknowledge", data={"by": "asha"}, headers=SAME).status_code == 404


# Commands


def test_oncall_gaps_from_near_the_end_of_time_is_a_traceback(tmp_path: Path) -> None:
    """`watchkeeper oncall gaps --schedule S --from 9999-12-30` prints an OverflowError traceback: the command
    adds `--days` to the start (cli/oncall.py `gaps`) before the service checks the range. `shifts` and `now`
    answer "must be between 1971 and 9000"; `gaps` should too, with exit 2."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    result = CliRunner().invoke(
        cli, ["oncall", "gaps", "--schedule", "re-primary", "--from", "9999-12-30", "--catalog", str(catalog)]
    )
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2


def test_alerts_ack_of_an_id_too_big_for_the_database_is_a_traceback(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`watchkeeper alerts ack 99999999999999999999` (a pasted dedup key or phone number, say) prints an
    OverflowError traceback on SQLite, the default database: click takes any int and nothing bounds it before
    the query. It should say there is no such alert (exit 1), as `alerts ack 0` does."""
    monkeypatch.setenv("WATCHKEEPER_DATABASE_URL", sqlite_db.url)
    result = CliRunner().invoke(cli, ["alerts", "ack", "99999999999999999999"])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (1, 2)

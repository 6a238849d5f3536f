"""Escalation scenarios: load a catalog, trigger alerts, advance a fake clock through the engine's passes, and
assert exactly which notifications went to whom and when (ADR 0036), on both databases."""

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from paging_harness import Paging
from sqlalchemy import select

from signed_in import sign_in
from watchkeeper.channels import channel_types
from watchkeeper.services import escalation, paging
from watchkeeper.services.alert_views import act
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.page_links import PageLinks
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "escalation-tests-secret-key-0123456789-abcdef"
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # Thursday: Asha's week on re-primary (handover Wednesdays)
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
      - {id: ellis, name: Ellis, email: ellis@example.org}
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
      - id: re-daily
        timezone: Europe/London
        layers:
          - {start: 2026-01-01T09:30, rotation: [asha, ben], turn: 1d}
      - id: re-nights
        timezone: Europe/London
        layers:
          - start: 2026-01-05T18:00
            rotation: [ben]
            turn: 1w
            restrict: [{from: "18:00", to: "08:00"}]
    escalation_policies:
      - id: re-default
        levels:
          - notify: [schedule:re-primary]
          - after: 15m
            notify: [schedule:re-secondary]
          - after: 30m
            notify: [person:ellis, channel:re-chat]
        repeat: 1
        ack_timeout: 30m
      - id: re-daily
        levels:
          - notify: [schedule:re-daily]
          - after: 15m
            notify: [person:chen]
      - id: re-nights
        levels:
          - notify: [schedule:re-nights]
      - id: re-later
        levels:
          - after: 5m               # give a blip five minutes to clear before anyone is woken
            notify: [person:chen]
        repeat: 1
    routes:
      - match: {labels: {policy: later}}
        escalation_policy: re-later
        group_wait: 0s
      - match: {labels: {policy: daily}}
        escalation_policy: re-daily
        group_wait: 0s
      - match: {labels: {policy: nights}}
        escalation_policy: re-nights
        group_wait: 0s
      - match: {severity: page}
        escalation_policy: re-default
        group_wait: 0s
      - notify: [channel:re-chat]
        group_wait: 0s
"""


class Scenario(Paging):
    def __init__(self, db: Database, tmp_path: Path, start: datetime = T0, catalog: str = CATALOG) -> None:
        super().__init__(db, tmp_path, catalog, start)

    def trigger(self, key: str = "disk", policy: str | None = None) -> int:
        alert_id = self.signal("trigger", key, "re", {"policy": policy} if policy else {}, f"{key} is full")
        assert alert_id is not None
        return alert_id

    def resolve(self, key: str, policy: str) -> None:
        self.signal("resolve", key, "re", {"policy": policy}, f"{key} is full")


ASHA = ["person:asha/inbox", "person:asha/email"]
CHEN = ["person:chen/inbox", "person:chen/email"]
ELLIS = ["person:ellis/inbox", "person:ellis/email", "re-chat"]


def _at(minute: float, channels: list[str]) -> list[tuple[float, str]]:
    return [(minute, channel) for channel in channels]


def test_nobody_acknowledges_primary_then_their_text_then_secondary_then_the_last_level_then_a_second_round(
    db: Database, tmp_path: Path
) -> None:
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(100)

    expected = [
        *_at(0, ASHA),
        (5, "person:asha/sms"),
        *_at(15, CHEN),
        *_at(30, ELLIS),
        *_at(45, ASHA),  # round two, as long after the last level as it came after the one before
        (50, "person:asha/sms"),
        *_at(60, CHEN),
        *_at(75, ELLIS),
    ]
    assert scenario.sent() == expected
    with db.reading() as connection:
        row = connection.execute(select(t.escalations)).mappings().one()
    assert (row["status"], row["round"], row["level"], row["next_at"]) == ("exhausted", 1, 2, None)


def test_acknowledging_stops_escalation_and_the_text_still_to_come(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(3)
    act(db, alert_id, "acknowledge", cli_actor("asha"), scenario.clock.now())
    scenario.advance(25)

    sent = scenario.sent()
    assert sent[:2] == _at(0, ASHA)
    assert [channel for _, channel in sent[2:]] == ["person:asha/inbox", "person:asha/email"], (
        "after the acknowledgement only its news goes to who was paged: no text, no secondary"
    )
    assert all(minute == 3 for minute, _ in sent[2:])
    with db.reading() as connection:
        contacts = connection.execute(select(t.escalation_contacts.c.via, t.escalation_contacts.c.status)).all()
        row = connection.execute(select(t.escalations)).mappings().one()
    assert ("sms", "skipped") in [tuple(c) for c in contacts]
    assert row["status"] == "acknowledged"


def test_an_acknowledged_alert_not_resolved_within_ack_timeout_pages_again_from_the_first_level(
    db: Database, tmp_path: Path
) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(2)
    act(db, alert_id, "acknowledge", cli_actor("asha"), scenario.clock.now())
    scenario.advance(31)

    pages = [(m, c) for m, c in scenario.sent() if m > 2]
    assert pages[:2] == _at(32, ASHA), "30 minutes after the acknowledgement the first level is paged again"
    with db.reading() as connection:
        alert = alert_store.get(connection, alert_id)
        escalations = connection.execute(select(t.escalations).order_by(t.escalations.c.id)).mappings().all()
    assert alert is not None
    assert alert["status"] == "triggered"
    assert [e["status"] for e in escalations] == ["ended", "active"]


def test_resolving_ends_the_escalation(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(6)
    act(db, alert_id, "resolve", cli_actor("asha"), scenario.clock.now())
    scenario.advance(60)

    later = [(m, c) for m, c in scenario.sent() if m >= 6]
    assert {c for _, c in later} <= {"person:asha/inbox", "person:asha/email"}, "only the resolution's news"
    assert len(later) == 2
    with db.reading() as connection:
        row = connection.execute(select(t.escalations)).mappings().one()
    assert row["status"] == "ended"


def test_a_restart_mid_escalation_continues_where_it_was(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(10)
    scenario.outbox = Outbox(reach=Reach(email=True))  # a new engine: nothing kept in memory
    scenario.advance(10)
    assert scenario.sent() == [*_at(0, ASHA), (5, "person:asha/sms"), *_at(15, CHEN)]


def test_two_engines_taking_the_same_steps_at_once_page_once(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.run()
    scenario.clock.advance(timedelta(minutes=15))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def engine() -> None:
        try:
            barrier.wait()
            escalation.step_due(db, scenario.clock.now(), scenario.outbox)
            paging.send_due(db, scenario.clock.now(), scenario.outbox)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=engine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scenario.run()
    assert not errors
    assert [c for m, c in scenario.sent() if m == 15].count("person:chen/inbox") == 1
    with db.reading() as connection:
        levels = connection.execute(
            select(t.escalation_contacts.c.level).where(t.escalation_contacts.c.person_id == "chen")
        ).scalars()
        assert list(levels) == [1, 1], "chen's inbox and email, once each"


def _daily_rota(local: datetime) -> str:
    """re-daily worked out by hand: asha from 1 January 09:30 local, then a day each, handing over at 09:30."""
    days = (local.date() - datetime(2026, 1, 1).date()).days - (1 if local.time() < time(9, 30) else 0)
    return ["asha", "ben"][days % 2]


def test_the_person_on_call_follows_the_local_handover_after_the_autumn_clock_change(
    db: Database, tmp_path: Path
) -> None:
    # Sunday 25 October 2026: London went from BST to GMT at 02:00 local. The daily rota hands over at 09:30
    # local, which is 09:30 UTC today (08:30 UTC yesterday): 09:25 UTC is still yesterday's person.
    before = datetime(2026, 10, 25, 9, 25, tzinfo=UTC)
    scenario = Scenario(db, tmp_path, start=before)
    first = scenario.trigger("before", policy="daily")
    scenario.advance(1)
    act(db, first, "resolve", cli_actor("test"), scenario.clock.now())
    scenario.advance(1)
    scenario.clock.advance(datetime(2026, 10, 25, 9, 35, tzinfo=UTC) - scenario.clock.now())
    scenario.trigger("after", policy="daily")
    scenario.advance(1)

    london = ZoneInfo("Europe/London")
    expected = [_daily_rota(before.astimezone(london).replace(tzinfo=None)), _daily_rota(datetime(2026, 10, 25, 9, 35))]
    assert expected == ["asha", "ben"]
    paged = [c.split("/")[0].removeprefix("person:") for m, c in scenario.sent() if c.endswith("/inbox")]
    assert [paged[0], paged[-1]] == expected


def test_levels_count_real_minutes_across_the_spring_clock_change(db: Database, tmp_path: Path) -> None:
    start = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)  # 00:50 GMT; at 01:00 UTC the clocks go forward to 02:00
    scenario = Scenario(db, tmp_path, start=start)
    scenario.trigger("spring", policy="daily")
    scenario.advance(20)
    assert [(m, c) for m, c in scenario.sent() if c.endswith("/inbox")] == [
        (0, "person:asha/inbox"),
        (15, "person:chen/inbox"),
    ], "level two 15 real minutes later, though the wall clock jumped an hour"


def test_nobody_on_call_is_an_alert_to_the_platform_team_and_the_teams_channels_are_told(
    db: Database, tmp_path: Path
) -> None:
    scenario = Scenario(db, tmp_path)  # Thursday 12:00: outside re-nights' 18:00-08:00 window
    scenario.trigger("night", policy="nights")
    scenario.advance(1)

    with db.reading() as connection:
        gap = alert_store.find_open(connection, "watchkeeper:nobody-on-call:re-nights")
        assert gap is not None
        assert (gap["team_id"], gap["severity"]) == ("re", "page")
        assert "Nobody is on call for schedule re-nights" in gap["summary"]
        original = alert_store.find_open(connection, "generic:night")
        assert original is not None
        events = [e["message"] for e in alert_store.events(connection, original["id"])]
    assert any("nobody is on call for re-nights" in e for e in events)
    assert any("nobody to page: telling re-chat" in e for e in events)
    assert (0, "re-chat") in scenario.sent(), "the page reached the team's channel, not nobody"
    paged = [m for m, c in scenario.sent() if c == "person:asha/inbox"]
    assert paged == [0.5], "and the gap alert paged the platform team's primary, at the next pass"


@pytest.fixture
def web(db: Database) -> Iterator[TestClient]:
    settings = Settings(database_url=db.url, secret_key=KEY, public_url="https://wk.example.org")
    context = AppContext(settings, db, FixedClock(T0), build_registry(db), None, None)
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        sign_in(client, db, KEY, at=T0)
        yield client


def test_the_link_in_a_page_shows_a_button_and_only_its_post_acknowledges_once(
    db: Database, tmp_path: Path, web: TestClient
) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    token = PageLinks(KEY, "https://wk.example.org").token(link_id)

    shown = web.get(f"/page/{token}")
    assert shown.status_code == 200
    assert 'value="acknowledge"' in shown.text
    assert "disk is full" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    assert shown.headers["referrer-policy"] == "no-referrer"
    with db.reading() as connection:
        alert = alert_store.get(connection, alert_id)
    assert alert is not None
    assert alert["status"] == "triggered", "opening the link acknowledges nothing"

    done = web.post(f"/page/{token}", data={"action": "acknowledge"}, headers={"sec-fetch-site": "same-origin"})
    assert done.status_code == 200
    assert "escalation has stopped" in done.text
    with db.reading() as connection:
        alert = alert_store.get(connection, alert_id)
    assert alert is not None
    assert alert["status"] == "acknowledged"
    assert alert["acknowledged_by"] == "asha (from a page link)"

    again = web.post(f"/page/{token}", data={"action": "resolve"}, headers={"sec-fetch-site": "same-origin"})
    assert again.status_code == 409
    assert "used already" in again.text

    scenario.advance(30)
    assert not [c for m, c in scenario.sent() if "chen" in c], "the acknowledgement stopped the escalation"


def test_a_forged_expired_or_cross_site_link_acts_on_nothing(db: Database, tmp_path: Path, web: TestClient) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    links = PageLinks(KEY, "https://wk.example.org")
    forged = f"{link_id}-{'0' * 32}"
    other_key = PageLinks("another-secret-key-0123456789-abcdefghijk", "x").token(link_id)

    for token in (forged, other_key, "1", "../etc", f"{link_id + 1}-{links.token(link_id).split('-')[1]}"):
        response = web.post(f"/page/{token}", data={"action": "acknowledge"}, headers={"sec-fetch-site": "same-origin"})
        assert response.status_code == 404, token
    cross = web.post(
        f"/page/{links.token(link_id)}", data={"action": "acknowledge"}, headers={"sec-fetch-site": "cross-site"}
    )
    assert cross.status_code == 403
    with db.transaction() as connection:
        connection.execute(t.page_links.update().values(expires_at=T0))
    late = web.post(
        f"/page/{links.token(link_id)}", data={"action": "acknowledge"}, headers={"sec-fetch-site": "same-origin"}
    )
    assert late.status_code == 409
    assert "expired" in late.text
    with db.reading() as connection:
        alert = alert_store.get(connection, alert_id)
    assert alert is not None
    assert alert["status"] == "triggered"


def test_pages_carry_the_signed_link_but_the_outbox_and_inbox_never_hold_it(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    token = PageLinks(KEY, "https://wk.example.org").token(link_id)
    with db.reading() as connection:
        messages = list(connection.execute(select(t.notifications.c.message)).scalars())
    assert all(m["page_link"] == link_id for m in messages)
    assert token.split("-")[1] not in repr(messages)


def test_the_console_and_api_acknowledge_and_resolve(db: Database, tmp_path: Path, web: TestClient) -> None:
    scenario = Scenario(db, tmp_path)
    first = scenario.trigger("one")
    second = scenario.trigger("two")
    scenario.advance(1)  # paged
    same = {"sec-fetch-site": "same-origin"}

    done = web.post(f"/alerts/{first}/acknowledge", headers=same, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/alerts/{first}"

    api = web.post(f"/api/v1/alerts/{second}/resolve")
    assert api.status_code == 200
    assert api.json()["outcome"] == "resolved"
    assert web.post("/api/v1/alerts/99999/acknowledge").status_code == 404
    assert web.post(f"/api/v1/alerts/{first}/acknowledge", json={"by": "Ben"}).status_code == 422  # who is signed in
    scenario.advance(1)
    page = web.get(f"/alerts/{first}").text
    assert 'policy <span class="wk-mono">re-default</span>: stopped by an acknowledgement, level 1' in page
    listed = web.get("/api/v1/alerts", params={"status": "all"}).json()["items"]
    assert {(a["id"], a["status"]) for a in listed} == {(first, "acknowledged"), (second, "resolved")}
    with db.reading() as connection:
        alert = alert_store.get(connection, first)
    assert alert is not None
    assert (alert["acknowledged_by"], alert["resolved_by"]) == ("Asha Patel (console)", None)
    with db.reading() as connection:
        resolved = alert_store.get(connection, second)
    assert resolved is not None
    assert resolved["resolved_by"] == "Asha Patel (api)"


def test_a_text_message_without_a_text_message_service_fails_saying_why(db: Database, tmp_path: Path) -> None:
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(5)
    assert (5, "person:asha/sms") in scenario.sent()
    deliverer = Deliverer(db, scenario.clock, "worker", http=None, policy=DeliveryPolicy(), types=channel_types())
    with db.transaction() as connection:  # only the text message is left to send
        connection.execute(
            t.notifications.update().where(t.notifications.c.channel_type != "notify").values(status="sent")
        )
    assert asyncio.run(deliverer.run_pass()) == 1
    with db.reading() as connection:
        attempt = connection.execute(select(t.deliveries)).mappings().one()
    assert attempt["outcome"] == "failed"
    assert "WATCHKEEPER_NOTIFY_SMS_TEMPLATE_ID" in attempt["detail"]


def test_a_first_level_that_waits_pages_nobody_until_then_and_not_at_all_if_resolved_first(
    db: Database, tmp_path: Path
) -> None:
    scenario = Scenario(db, tmp_path)
    blip = scenario.trigger("blip", policy="later")
    scenario.advance(2)
    act(db, blip, "resolve", cli_actor("test"), scenario.clock.now())
    scenario.advance(3)
    assert scenario.sent() == [], "resolved before its first level was due: nobody woken"

    scenario.trigger("lasting", policy="later")
    scenario.advance(26)
    pages = [(m - 5, c) for m, c in scenario.sent() if c.endswith("/inbox")]
    assert pages == [(5, "person:chen/inbox"), (20, "person:chen/inbox")], (
        "the first level at 5 minutes; the second round 15 minutes after the first began, plus its 5"
    )


def test_a_group_that_cannot_page_holds_back_no_other_group(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = paging._on_call

    def broken(connection: Any, schedule_id: str, now: datetime) -> str | None:
        if schedule_id == "re-nights":
            raise OverflowError("date value out of range")
        return real(connection, schedule_id, now)

    monkeypatch.setattr(paging, "_on_call", broken)
    scenario = Scenario(db, tmp_path)
    scenario.trigger("night", policy="nights")  # its group's flush fails on every try
    scenario.trigger()  # another group, flushed in the same pass
    scenario.advance(2)

    assert scenario.sent()[:2] == _at(0, ASHA), "the other group paged as if nothing were wrong"
    with db.reading() as connection:
        groups = connection.execute(select(t.alert_groups.c.flushes, t.alert_groups.c.flush_at)).all()
    assert sorted(g.flushes for g in groups) == [0, 1]
    stuck = [g.flush_at for g in groups if g.flushes == 0]
    assert stuck[0] > scenario.clock.now(), "the failing group is tried again later, not on every pass"

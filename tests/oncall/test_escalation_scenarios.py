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
from paging_harness import CATALOG, T0, Scenario, console, paged
from sqlalchemy import select

from watchkeeper.channels import channel_types
from watchkeeper.services import escalation, paging
from watchkeeper.services.alert_views import act
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.silences import NewSilence, create_silence
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import tables as t

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
    with console(db, FixedClock(T0)) as client:
        yield client


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


# Suppression and catalog edits while an escalation runs


def test_a_silence_made_mid_escalation_stops_the_text_to_come_and_the_next_level(db: Database, tmp_path: Path) -> None:
    """Asha is paged for db-1's disk, sees it is a known problem and silences `host=db-1` at minute 3: her text
    at minute 5 and the secondary at minute 15 are not sent (they once were: nothing woke the escalation)."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger("disk", labels={"host": "db-1"})
    scenario.advance(3)
    silence = NewSilence(["host=db-1"], "known: the backup filled it", duration=timedelta(hours=2))
    create_silence(db, scenario.clock.now(), silence, cli_actor("asha"))
    scenario.advance(30)

    assert not scenario.failures
    later = [channel for minute, channel in scenario.sent() if minute > 3]
    assert "person:asha/sms" not in later, "the text due at minute 5 went out though the alert was silenced"
    assert paged(scenario.sent(), "chen") == [], "the secondary was paged for a silenced alert"


def test_an_escalation_goes_on_under_its_policys_new_name_after_a_catalog_edit(db: Database, tmp_path: Path) -> None:
    """The team renames `re-default` to `re-main` (same levels; the route names the new id) while an alert is
    escalating: paging goes on, where it once ended with "policy re-default has left the catalog"."""
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(1)
    result = scenario.load(CATALOG.replace("re-default", "re-main"))
    assert result.ok, result.problems
    scenario.advance(60)

    assert scenario.alert(alert_id)["status"] == "triggered"
    after_edit = [channel for minute, channel in scenario.sent() if minute > 1 and channel != "person:asha/sms"]
    assert after_edit, "an unacknowledged page alert went quiet after a catalog edit"
    assert 15 in paged(scenario.sent(), "chen"), "the renamed policy's second level, on time"


def test_an_acknowledgement_times_out_though_a_silenced_alert_joined_its_group_meanwhile(
    db: Database, tmp_path: Path
) -> None:
    """Asha acknowledges the disk alert at minute 2 (ack_timeout 30m). At 2.5 a noisy alert joins the group and
    she silences it before the group's next flush. The disk alert, still unresolved, pages her again at minute 32
    (the new alert once cleared the escalation's next step, and the silenced flush never set it again)."""
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
    assert [m for m in paged(scenario.sent(), "asha") if 32 <= m <= 33], "ack_timeout never paged again"


# One escalation's failure, or one rota's gap, is never a silent drop


def test_an_escalation_whose_step_fails_holds_back_no_other_escalation(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that raises (an acknowledgement timeout too far for the clock's arithmetic once did, on every
    pass; the catalog now bounds it) fails alone: the disk alert after it still pages Asha, then Chen at 17."""
    real = escalation._acknowledged

    def overflowing(connection: Any, row: Any, policy: Any, alerts: Any, now: datetime) -> None:
        if row["policy_id"] == "re-daily":
            raise OverflowError("date value out of range")
        real(connection, row, policy, alerts, now)

    monkeypatch.setattr(escalation, "_acknowledged", overflowing)
    scenario = Scenario(db, tmp_path)
    slow = scenario.trigger("slow", policy="daily")  # pages Ben, on the daily rota today
    scenario.advance(1)
    act(db, slow, "acknowledge", cli_actor("ben"), scenario.clock.now())
    scenario.advance(1)
    scenario.trigger("disk")
    scenario.advance(20)

    assert not scenario.failures, "the pass went on; only the escalation failed"
    assert paged(scenario.sent(), "asha") == [2], "every other escalation stepped"
    assert paged(scenario.sent(), "chen") == [17]


def test_nobody_on_call_in_an_organisation_without_a_platform_team_still_tells_someone(
    db: Database, tmp_path: Path
) -> None:
    """One team, not marked platform_team (the catalog does not require one), a nights rota and a route that pages
    it: an alert at noon finds nobody on call, and the gap is raised to the team itself rather than dropped."""
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
    scenario = Scenario(db, tmp_path, catalog=catalog)
    scenario.trigger("disk", team="web")
    scenario.advance(30)

    assert not scenario.failures
    assert scenario.sent(), "a page found nobody on call and nobody at all was told"


def test_a_person_named_twice_in_one_level_is_paged_once(db: Database, tmp_path: Path) -> None:
    """A level names `schedule:re-primary` and `person:asha` (the lead, on call this week): one inbox page and,
    five minutes later, one text message, not two of each."""
    catalog = CATALOG.replace("notify: [schedule:re-primary]", "notify: [schedule:re-primary, person:asha]")
    scenario = Scenario(db, tmp_path, catalog=catalog)
    scenario.trigger()
    scenario.advance(6)

    channels = [channel for _, channel in scenario.sent()]
    assert channels.count("person:asha/inbox") == 1
    assert channels.count("person:asha/sms") == 1

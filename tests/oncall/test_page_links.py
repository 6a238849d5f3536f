"""The one-click link in every page (ADR 0036): what it shows without signing in, what only its POST does, and
that it acts once, for its own page only, never leaking from a log, a cache or the outbox; on both databases."""

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from paging_harness import KEY, PUBLIC, T0, Scenario, console, page_token, paged
from sqlalchemy import Connection, RowMapping, select, text

from watchkeeper.channels import channel_types
from watchkeeper.services import notifying
from watchkeeper.services.alert_views import act
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.page_links import PageLinks
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import escalations as escalation_store
from watchkeeper.store import tables as t

SAME = {"sec-fetch-site": "same-origin"}


@pytest.fixture
def web(db: Database) -> Iterator[TestClient]:
    with console(db, FixedClock(T0)) as client:
        yield client


def test_the_link_in_a_page_shows_a_button_and_only_its_post_acknowledges_once(
    db: Database, tmp_path: Path, web: TestClient
) -> None:
    scenario = Scenario(db, tmp_path)
    alert_id = scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    token = page_token(link_id)

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
    links = PageLinks(KEY, PUBLIC)
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
    token = page_token(link_id)
    with db.reading() as connection:
        messages = list(connection.execute(select(t.notifications.c.message)).scalars())
    assert all(m["page_link"] == link_id for m in messages)
    assert token.split("-")[1] not in repr(messages)


def test_a_link_from_a_page_that_is_over_leaves_the_next_persons_page_alone(db: Database, tmp_path: Path) -> None:
    """Wednesday 09:00 Asha is paged for the disk (link L1) and resolves it from the console at 09:10. At 09:30
    the rota hands over to Ben; at 09:40 a new alert in the same group pages Ben. Asha, catching up, presses
    L1's Acknowledge: Ben's alert stays triggered, as L1's page is over (it once acted on whatever the group
    had open)."""
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
    assert paged(scenario.sent(), "ben") == [40]

    with console(db, scenario.clock) as web:
        web.post(f"/page/{page_token(old_link)}", data={"action": "acknowledge"}, headers=SAME)
    assert scenario.alert(memory)["status"] == "triggered", "Asha's old link acknowledged Ben's page"


def test_a_links_token_never_reaches_the_request_log(
    db: Database, tmp_path: Path, web: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Whoever reads the logs, or the service they are shipped to, could act on a page before the person paged:
    the request log shows `/page/<token>`, as it hides ping tokens and integration keys."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(1)
    [link_id] = scenario.links()
    mac = page_token(link_id).split("-")[1]
    with caplog.at_level(logging.INFO):
        assert web.get(f"/page/{page_token(link_id)}").status_code == 200
        assert web.post(f"/page/{page_token(link_id)}", data={"action": "x"}, headers=SAME).status_code == 400

    ours = [record.getMessage() for record in caplog.records if record.name.startswith("watchkeeper")]
    assert any("request" in line for line in ours), "the requests were logged"
    assert [line for line in ours if mac in line] == []


def test_the_inbox_which_shows_every_pages_signed_link_is_never_stored(
    db: Database, tmp_path: Path, web: TestClient
) -> None:
    """The console's Inbox signs every page's one-click link as it is shown, so, like `/page/<token>` itself, it
    is `no-store`: no browser or shared proxy keeps a page full of live acknowledge links."""
    scenario = Scenario(db, tmp_path)
    scenario.trigger()
    scenario.advance(1)
    deliverer = Deliverer(db, scenario.clock, "links", http=None, policy=DeliveryPolicy(), types=channel_types())
    asyncio.run(deliverer.run_pass())  # the inbox channel keeps its messages when they are delivered

    inbox = web.get("/inbox")
    assert f"{PUBLIC}/page/" in inbox.text
    assert inbox.headers.get("cache-control") == "no-store"


def test_a_click_on_a_link_while_the_engine_flushes_its_group_acknowledges(
    postgres_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the link's POST and the engine's flush of the same group lock the group and the escalation;
    taken in opposite orders they deadlocked, and PostgreSQL's abort of the click was a 500 page. A click while
    the group flushes (a second alert arrived a minute ago) acknowledges."""
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

    with console(db, scenario.clock) as client:
        flushing = threading.Thread(target=engine)
        flushing.start()
        assert holds_group.wait(10)
        clicked = client.post(f"/page/{page_token(link_id)}", data={"action": "acknowledge"}, headers=SAME)
        flushing.join(30)

    assert clicked.status_code == 200, clicked.text[:200]
    assert scenario.alert(disk)["status"] == "acknowledged"

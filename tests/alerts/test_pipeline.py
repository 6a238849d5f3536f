"""From a check's state change to a sent notification: routing, grouping, shared responsibility, the outbox
and delivery with retries, on both databases."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline_passes import (
    T0,
    apply_catalog,
    direct_routes,
    failing_once,
    outbox_rows,
    run_pass,
    state_change,
    told,
)
from sqlalchemy import insert, select, update

from watchkeeper.catalog import load_catalog
from watchkeeper.channels import ChannelType, Message, Outcome, SendContext
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.check_alerts import raise_from_changes
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store import tables as t

CATALOG = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: pay
    name: Pay
    channels:
      - {id: pay-pager, type: inbox}
      - {id: pay-chat, type: inbox}
    escalation_policies:
      - id: pay-default
        levels:
          - notify: [channel:pay-pager]
    routes:
      - match: {severity: page}
        escalation_policy: pay-default
      - match: {severity: info}
        notify: [channel:pay-chat]
  - id: re
    name: RE
    platform_team: true
    channels:
      - {id: re-pager, type: inbox}
    routes:
      - notify: [channel:re-pager]
        group_wait: 0s
platforms:
  - id: paas
    name: PaaS
    owner: re
    checks:
      - {id: paas-api, type: tcp, host: localhost, port: 1}
      - {id: paas-certificate, type: tcp, host: localhost, port: 1, severity: ticket}
services:
  - id: pay-api
    name: Payments API
    owner: pay
    platform: paas
    runbook: https://runbooks.example/pay-api
    logs: https://logs.example/pay-api
    checks:
CHECKS
  - id: pay-jobs
    name: Payment jobs
    owner: pay
    checks:
      - {id: pay-jobs-ticket, type: tcp, host: localhost, port: 1, severity: ticket}
"""


def _catalog(db: Database, tmp_path: Path, checks: int = 3) -> FixedClock:
    lines = "".join(f"      - {{id: pay-api-{n}, type: tcp, host: localhost, port: 1}}\n" for n in range(checks))
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, CATALOG.replace("CHECKS\n", lines))
    return clock


def test_a_check_going_down_notifies_its_teams_route_once_its_group_has_waited(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)

    run_pass(db, clock)
    assert outbox_rows(db) == [], "nothing is sent before the group's wait"
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)

    [row] = outbox_rows(db)
    assert (row["channel_id"], row["action"], row["status"]) == ("pay-pager", "trigger", "pending")
    message = row["message"]
    assert message["title"] == "pay-api-0 is DOWN: connection refused (Payments API)"
    assert [a["dedup_key"] for a in message["alerts"]] == ["check:pay-api-0"]
    assert message["alerts"][0]["links"] == [
        {"href": "https://runbooks.example/pay-api", "text": "runbook"},
        {"href": "https://logs.example/pay-api", "text": "logs"},
    ]
    with db.reading() as connection:
        alert = store.find_open(connection, "check:pay-api-0")
        assert alert is not None
        kinds = [e["kind"] for e in store.events(connection, alert["id"])]
    assert kinds == ["opened", "routed", "escalated", "notified"], "its route's policy paged its first level"


def test_a_storm_in_one_service_is_one_notification_and_its_recovery_another(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path, checks=20)
    for n in range(20):
        state_change(db, f"pay-api-{n}", T0 + timedelta(milliseconds=300 * n))
    clock.advance(timedelta(seconds=6))
    run_pass(db, clock)
    clock.advance(timedelta(seconds=5))
    run_pass(db, clock)

    [first] = outbox_rows(db)
    assert len(first["message"]["alerts"]) == 20
    assert first["message"]["title"] == "20 alerts (20 triggered): Payments API"

    for n in range(20):
        state_change(db, f"pay-api-{n}", clock.now(), after="up")
    run_pass(db, clock)
    assert len(outbox_rows(db)) == 1, "a change within the group interval waits for it"
    clock.advance(timedelta(minutes=1))
    run_pass(db, clock)

    first, second = outbox_rows(db)
    assert second["action"] == "resolve"
    assert {a["status"] for a in second["message"]["alerts"]} == {"resolved"}
    assert first["idempotency_key"] != second["idempotency_key"]


def test_a_service_on_a_failing_platform_tells_its_team_without_paging(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "paas-api", T0)
    state_change(db, "pay-api-0", T0 + timedelta(seconds=1))
    clock.advance(timedelta(seconds=11))

    run_pass(db, clock)

    sent = {row["channel_id"]: row for row in outbox_rows(db)}
    assert set(sent) == {"re-pager", "pay-chat"}, "the platform team is paged; the service's team is told"
    with db.reading() as connection:
        platform = store.find_open(connection, "check:paas-api")
        service = store.find_open(connection, "check:pay-api-0")
        assert platform is not None
        assert service is not None
        assert service["cause_alert_id"] == platform["id"]
        events = [e["message"] for e in store.events(connection, service["id"]) if e["kind"] == "attached"]
    assert events == [
        f"attached to alert {platform['id']} (paas-api is DOWN: connection refused), which it depends on: "
        "its team is told without being paged"
    ]


def test_an_alert_no_route_matches_reaches_every_channel_of_its_team(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-jobs-ticket", T0)  # severity ticket: pay has routes for page and info only
    clock.advance(timedelta(seconds=10))

    run_pass(db, clock)

    assert sorted(row["channel_id"] for row in outbox_rows(db)) == ["pay-chat", "pay-pager"]


def test_a_group_still_open_is_reminded_after_the_repeat_interval(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)
    clock.advance(timedelta(hours=4))

    run_pass(db, clock)

    first, reminder = outbox_rows(db)
    assert not first["message"]["title"].startswith("Still open: ")
    assert reminder["message"]["title"].startswith("Still open: ")
    assert reminder["action"] == "trigger"


def test_state_changes_are_read_once_even_when_passes_repeat(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)

    assert raise_from_changes(db) == 1
    assert raise_from_changes(db) == 0
    with db.reading() as connection:
        alert = store.find_open(connection, "check:pay-api-0")
    assert alert is not None
    assert alert["occurrences"] == 1


@dataclass
class Recorder:
    """A channel type that records what it is asked to send and answers as told."""

    answers: list[Outcome] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)

    def channel(self) -> ChannelType:
        async def send(request: Message, _config: Any, _context: SendContext) -> Outcome:
            self.sent.append(request)
            return self.answers.pop(0) if self.answers else Outcome("sent", "ok", 200)

        def render(message: Message, _config: Any) -> Message:
            return message

        return ChannelType("inbox", "records", render, send)


def _deliver(db: Database, clock: FixedClock, recorder: Recorder, worker: str = "w1", **policy: Any) -> int:
    async def go() -> int:
        deliverer = Deliverer(db, clock, worker, None, DeliveryPolicy(**policy), {"inbox": recorder.channel()})
        return await deliverer.run_pass()

    return asyncio.run(go())


def _due(db: Database, tmp_path: Path) -> FixedClock:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)
    return clock


def _deliveries(db: Database) -> list[dict[str, Any]]:
    with db.reading() as connection:
        return [dict(r) for r in connection.execute(select(t.deliveries).order_by(t.deliveries.c.id)).mappings()]


def test_a_delivered_notification_is_sent_once_and_logged(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)
    recorder = Recorder()

    assert _deliver(db, clock, recorder) == 1
    assert _deliver(db, clock, recorder) == 0

    [message] = recorder.sent
    [row] = outbox_rows(db)
    assert message.idempotency_key == row["idempotency_key"]
    assert (row["status"], row["attempts"]) == ("sent", 1)
    [delivery] = _deliveries(db)
    assert (delivery["outcome"], delivery["status_code"], delivery["attempt"]) == ("sent", 200, 1)


def test_a_transient_failure_is_retried_later_with_the_same_key(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)
    recorder = Recorder([Outcome("retry", "HTTP 503", 503)])

    _deliver(db, clock, recorder)
    assert _deliver(db, clock, recorder) == 0, "not due again at once"
    clock.advance(timedelta(seconds=13))
    _deliver(db, clock, recorder)

    first, second = recorder.sent
    assert first.idempotency_key == second.idempotency_key
    assert [(d["outcome"], d["attempt"]) for d in _deliveries(db)] == [("retry", 1), ("sent", 2)]


def test_a_permanent_failure_stops_at_once(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)
    recorder = Recorder([Outcome("failed", "HTTP 404: no such webhook", 404)])

    _deliver(db, clock, recorder)
    clock.advance(timedelta(hours=1))
    _deliver(db, clock, recorder)

    assert len(recorder.sent) == 1
    [row] = outbox_rows(db)
    assert (row["status"], row["last_error"]) == ("failed", "HTTP 404: no such webhook")


def test_retries_stop_when_the_time_allowed_runs_out(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)
    recorder = Recorder([Outcome("retry", "HTTP 503", 503)] * 50)
    with db.transaction() as connection:
        connection.execute(update(t.notifications).values(give_up_at=T0 + timedelta(minutes=3)))

    for _ in range(10):
        _deliver(db, clock, recorder)
        clock.advance(timedelta(minutes=1))

    [row] = outbox_rows(db)
    assert row["status"] == "failed"
    assert row["last_error"].startswith(f"gave up after {row['attempts']} attempts in ")
    assert 2 <= row["attempts"] <= 4


def test_a_claim_held_by_a_killed_worker_expires_and_the_notification_is_sent(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)
    with db.transaction() as connection:
        connection.execute(
            update(t.notifications).values(claimed_by="dead", claimed_until=clock.now() + timedelta(minutes=2))
        )
    recorder = Recorder()

    assert _deliver(db, clock, recorder) == 0
    clock.advance(timedelta(minutes=2, seconds=1))
    assert _deliver(db, clock, recorder) == 1


def test_an_unknown_channel_type_fails_with_a_reason(db: Database, tmp_path: Path) -> None:
    clock = _due(db, tmp_path)

    async def go() -> None:
        await Deliverer(db, clock, "w", None, DeliveryPolicy(), {}).run_pass()

    asyncio.run(go())

    [row] = outbox_rows(db)
    assert (row["status"], row["last_error"]) == ("failed", "no channel type 'inbox' is installed")


def test_a_service_that_fails_before_its_platform_is_attached_before_anyone_is_paged(
    db: Database, tmp_path: Path
) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)  # the service's check confirms DOWN first
    run_pass(db, clock)
    state_change(db, "paas-api", T0 + timedelta(seconds=4))  # then the platform's, within the service's group wait
    clock.advance(timedelta(seconds=10))

    run_pass(db, clock)
    assert [row["channel_id"] for row in outbox_rows(db)] == ["re-pager"], "nobody in pay is paged"
    clock.advance(timedelta(seconds=10))  # the group it moved to waits as any new group does
    run_pass(db, clock)

    assert sorted(row["channel_id"] for row in outbox_rows(db)) == ["pay-chat", "re-pager"]
    with db.reading() as connection:
        service = store.find_open(connection, "check:pay-api-0")
        assert service is not None
        kinds = [e["kind"] for e in store.events(connection, service["id"])]
    assert kinds == ["opened", "routed", "attached", "routed", "notified"]


def _silence(db: Database, matchers: list[dict[str, str]], ends_at: datetime) -> None:
    with db.transaction() as connection:
        connection.execute(
            insert(t.silences).values(
                matchers=matchers,
                starts_at=T0 - timedelta(minutes=1),
                ends_at=ends_at,
                author="fatima",
                comment="deploying",
                created_at=T0,
            )
        )


def test_a_silenced_alert_is_recorded_and_told_once_the_silence_ends(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    _silence(db, [{"name": "service", "op": "=", "value": "pay-api"}], ends_at=T0 + timedelta(minutes=30))
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))

    run_pass(db, clock)
    assert outbox_rows(db) == []
    with db.reading() as connection:
        alert = store.find_open(connection, "check:pay-api-0")
    assert alert is not None
    assert alert["suppressed_by"].startswith("silence:")

    clock.advance(timedelta(minutes=30))
    run_pass(db, clock)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)

    [row] = outbox_rows(db)
    assert row["channel_id"] == "pay-pager"
    with db.reading() as connection:
        kinds = [e["kind"] for e in store.events(connection, alert["id"])]
    assert kinds == ["opened", "routed", "suppressed", "released", "escalated", "notified"]


def test_a_silenced_alert_that_resolves_inside_the_silence_is_never_told(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    _silence(db, [{"name": "check", "op": "=~", "value": "pay-api-.*"}], ends_at=T0 + timedelta(minutes=30))
    state_change(db, "pay-api-0", T0)
    state_change(db, "pay-api-0", T0 + timedelta(minutes=5), after="up")
    clock.advance(timedelta(hours=1))

    run_pass(db, clock)
    run_pass(db, clock)

    assert outbox_rows(db) == []


def test_a_route_edited_while_its_group_waits_notifies_the_channels_it_now_names(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "pay-api-0", T0)
    run_pass(db, clock)
    path = tmp_path / "catalog.yaml"
    path.write_text(path.read_text().replace("- notify: [channel:pay-pager]", "- notify: [channel:pay-chat]"))
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=clock, trigger="cli").ok
    clock.advance(timedelta(seconds=10))

    run_pass(db, clock)

    assert [row["channel_id"] for row in outbox_rows(db)] == ["pay-chat"]


def test_a_ticket_alert_on_the_platform_excuses_no_outage_of_a_service_on_it(db: Database, tmp_path: Path) -> None:
    clock = _catalog(db, tmp_path)
    state_change(db, "paas-certificate", T0)  # a certificate near expiry: work for the platform team, not an outage
    state_change(db, "pay-api-0", T0 + timedelta(seconds=1))
    clock.advance(timedelta(seconds=11))

    run_pass(db, clock)

    assert "pay-pager" in [row["channel_id"] for row in outbox_rows(db)]
    with db.reading() as connection:
        service = store.find_open(connection, "check:pay-api-0")
    assert service is not None
    assert service["cause_alert_id"] is None


# Shared responsibility: a platform's outage and the services on it (routes straight to channels)


def test_a_service_still_down_after_its_platform_recovers_pages_its_team(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    state_change(db, "paas-api", T0)
    state_change(db, "pay-api-0", T0 + timedelta(seconds=1))
    clock.advance(timedelta(seconds=11))
    run_pass(db, clock)
    assert told(db, "pay-chat", "check:pay-api-0"), "while the PaaS is down, pay is told without being paged"

    # The platform comes back; the service does not: its failure is now its team's own.
    clock.advance(timedelta(minutes=2))
    state_change(db, "paas-api", clock.now(), after="up")
    for _ in range(3):
        run_pass(db, clock)
        clock.advance(timedelta(minutes=5))
        run_pass(db, clock)

    assert told(db, "pay-pager", "check:pay-api-0"), "pay-api has been DOWN 15 minutes on a healthy PaaS, unpaged"


def test_a_platform_outage_seen_first_by_a_service_check_does_not_page_the_service_team(
    db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    # One PaaS outage: the checks run a minute apart (the default interval) at independent phases, so the
    # service's check confirms DOWN 30 s before the platform's as often as not. By then the platform's check
    # has failed once (down_after is 2): what the engine's state table says.
    failing_once(db, "paas-api", T0 - timedelta(seconds=20))
    state_change(db, "pay-api-0", T0)
    run_pass(db, clock)
    for _ in range(3):
        clock.advance(timedelta(seconds=10))
        run_pass(db, clock)
    state_change(db, "paas-api", T0 + timedelta(seconds=30))
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)

    assert told(db, "re-pager", "check:paas-api"), "the platform team is paged"
    assert told(db, "pay-pager", "check:pay-api-0") == [], "one PaaS outage must not wake every team"


def test_a_service_whose_failing_platform_never_confirms_down_pages_its_team_after_the_hold(
    db: Database, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    failing_once(db, "paas-api", T0 - timedelta(seconds=20))  # and it never fails again
    state_change(db, "pay-api-0", T0)
    run_pass(db, clock)
    clock.advance(timedelta(seconds=30))
    run_pass(db, clock)
    assert told(db, "pay-pager", "check:pay-api-0") == [], "held while its platform may yet take the blame"

    clock.advance(timedelta(minutes=3))
    run_pass(db, clock)

    assert told(db, "pay-pager", "check:pay-api-0"), "paged once the hold is over"


# Routes edited in the catalog


def test_a_route_edited_in_the_catalog_is_the_one_new_alerts_of_an_old_group_take(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)
    state_change(db, "pay-api-0", clock.now(), after="up")
    clock.advance(timedelta(minutes=2))
    run_pass(db, clock)
    assert [row["channel_id"] for row in outbox_rows(db)] == ["pay-pager", "pay-pager"]

    # The team moves its pages to a new channel and drops the old one, as teams do.
    clock.advance(timedelta(days=1))
    catalog = direct_routes(page="[channel:pay-oncall]").replace("      - {id: pay-pager, type: inbox}\n", "")
    apply_catalog(db, tmp_path, clock, catalog)
    state_change(db, "pay-api-1", clock.now())
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)

    # The group, made a day ago, once kept its old route: "routed ... channel:pay-oncall", then "nobody to
    # notify; not in the catalog: pay-pager".
    assert told(db, "pay-oncall", "check:pay-api-1"), "the page went to the route the catalog no longer has"


# Reminders


def test_a_blip_that_nobody_was_told_of_sends_no_reminder(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)
    assert len(outbox_rows(db)) == 1

    # Another check of the service fails and recovers inside one group interval: a blip nobody hears of.
    state_change(db, "pay-api-1", T0 + timedelta(minutes=2))
    state_change(db, "pay-api-1", T0 + timedelta(minutes=2, seconds=20), after="up")
    clock.advance(timedelta(minutes=3))
    run_pass(db, clock)

    titles = [row["message"]["title"] for row in outbox_rows(db)]
    assert titles[1:] == [], "the repeat interval is 4 h; pay was reminded of pay-api-0 after 3 minutes"


def test_an_open_alert_that_a_silence_matches_is_not_reminded(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(T0)
    apply_catalog(db, tmp_path, clock, direct_routes())
    state_change(db, "pay-api-0", T0)
    clock.advance(timedelta(seconds=10))
    run_pass(db, clock)
    assert len(outbox_rows(db)) == 1

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
    run_pass(db, clock)

    assert [row["message"]["title"] for row in outbox_rows(db)][1:] == [], "paged again through the silence"


# Delivery keys


def test_delivery_keys_of_different_notifications_differ_across_databases(db: Database, tmp_path: Path) -> None:
    rebuilt = Database(f"sqlite:///{tmp_path}/rebuilt.db")  # a restore, a rebuild, or staging beside production
    rebuilt.upgrade()
    try:
        for database, check in ((db, "pay-api-0"), (rebuilt, "pay-api-1")):
            here = FixedClock(T0)
            (tmp_path / check).mkdir()
            apply_catalog(database, tmp_path / check, here, direct_routes())
            state_change(database, check, T0)
            here.advance(timedelta(seconds=10))
            run_pass(database, here)
        [first], [second] = outbox_rows(db), outbox_rows(rebuilt)
    finally:
        rebuilt.dispose()

    assert first["message"]["alerts"][0]["dedup_key"] != second["message"]["alerts"][0]["dedup_key"]
    # The README tells webhook receivers to "keep the ones you have seen to ignore repeats".
    assert first["idempotency_key"] != second["idempotency_key"], "a different outage, the same delivery key"

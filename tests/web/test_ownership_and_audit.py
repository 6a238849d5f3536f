"""Each team changes its own things and nobody else's, and every change is on the audit log with who made it,
through what, and the object before and after; a refused change changes nothing and leaves no entry. Through the
API and the console, over the example catalog (pay, notify, and the platform team reliability-engineering), on
both databases."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from signed_in import Person, sign_in, token_for
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.clock import SystemClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "ownership-tests-secret-key-0123456789-abcdefg"
FATIMA = Person("fatima.hussain@example.gov.uk", role="viewer")  # the catalog makes her a member of pay
INES = Person("ines.costa@example.gov.uk", role="viewer")  # and Ines a member of notify
ASHA = Person("asha.patel@example.gov.uk", role="viewer")  # and Asha, of the platform team, a platform admin
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@dataclass
class Site:
    db: Database
    clients: dict[str, TestClient]

    def entries(self) -> list[dict[str, object]]:
        with self.db.reading() as connection:
            rows = connection.execute(select(t.audit_events).order_by(t.audit_events.c.id)).mappings()
            return [dict(row) for row in rows if not str(row["action"]).startswith(("account.", "catalog."))]

    def count(self, table: object) -> int:
        with self.db.reading() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def site(loaded) -> Iterator[Site]:
    settings = Settings(database_url=loaded.db.url, secret_key=KEY)
    context = AppContext(settings, loaded.db, SystemClock(), build_registry(loaded.db), None, None)
    clients = {}
    for name, person in (("fatima", FATIMA), ("ines", INES), ("asha", ASHA)):
        client = TestClient(create_app(context), raise_server_exceptions=False)
        sign_in(client, loaded.db, KEY, person)
        clients[name] = client
    yield Site(loaded.db, clients)
    for client in clients.values():
        client.close()


def _silence(client: TestClient, *matchers: str):
    body = {"matchers": list(matchers), "comment": "deploying", "duration": "1h"}
    return client.post("/api/v1/silences", json=body)


def test_a_member_silences_only_their_own_teams_alerts(site):
    fatima = site.clients["fatima"]

    own = _silence(fatima, "team=pay", "service=pay-api")
    unnamed = _silence(fatima, "service=pay-api")
    other = _silence(fatima, "team=notify")

    assert own.status_code == 201, own.text
    assert unnamed.status_code == 403
    assert "add the matcher team=pay" in unnamed.json()["detail"]
    assert other.status_code == 403
    assert "belongs to team notify" in other.json()["detail"]
    assert site.count(t.silences) == 1


def test_another_teams_member_cannot_expire_a_silence_and_a_platform_admin_can(site):
    made = _silence(site.clients["fatima"], "team=pay").json()

    refused = site.clients["ines"].post(f"/api/v1/silences/{made['id']}/expire")
    expired = site.clients["asha"].post(f"/api/v1/silences/{made['id']}/expire")

    assert refused.status_code == 403
    assert expired.status_code == 200
    assert expired.json()["expired_by"] == "Asha Patel"


def test_a_platform_admin_silences_anything_without_naming_a_team(site):
    assert _silence(site.clients["asha"], "service=notify-api").status_code == 201


def test_maintenance_covers_only_what_the_members_team_owns(site):
    fatima = site.clients["fatima"]
    body = {"name": "Upgrade", "duration": "1h"}

    own = fatima.post("/api/v1/maintenance", json=body | {"scope": {"services": ["pay-api"]}})
    platform = fatima.post("/api/v1/maintenance", json=body | {"scope": {"platforms": ["paas"]}})
    mixed = fatima.post("/api/v1/maintenance", json=body | {"scope": {"services": ["pay-api", "notify-api"]}})
    cancelled_by_other = site.clients["ines"].post(f"/api/v1/maintenance/{own.json()['id']}/cancel")

    assert own.status_code == 201, own.text
    assert platform.status_code == 403
    assert "reliability-engineering" in platform.json()["detail"]
    assert mixed.status_code == 403
    assert cancelled_by_other.status_code == 403


def test_overrides_are_made_by_the_schedules_team(site):
    body = {"person": "george", "starts_at": "2099-01-13T09:00:00Z", "ends_at": "2099-01-13T17:00:00Z", "reason": "r"}

    own = site.clients["fatima"].post("/api/v1/schedules/pay-on-call/overrides", json=body)
    other = site.clients["ines"].post("/api/v1/schedules/pay-on-call/overrides", json=body)
    removed_by_other = site.clients["ines"].delete(f"/api/v1/overrides/{own.json()['id']}")

    assert own.status_code == 201, own.text
    assert own.json()["author"] == "Fatima Hussain"
    assert other.status_code == 403
    assert removed_by_other.status_code == 403


def test_an_alert_is_acknowledged_by_its_team_and_not_by_another(site):
    signal = Signal(
        action="trigger",
        dedup_key="pay-api-errors",
        source="api",
        subject=Subject("service", "pay-api"),
        summary="errors",
        severity="ticket",
    )
    [received] = receive(site.db, [signal], SystemClock().now())
    alert_id = received.alert_id

    other = site.clients["ines"].post(f"/api/v1/alerts/{alert_id}/acknowledge")
    own = site.clients["fatima"].post(f"/api/v1/alerts/{alert_id}/acknowledge")
    console = site.clients["ines"].post(f"/alerts/{alert_id}/resolve", headers=SAME_SITE)

    assert other.status_code == 403
    assert own.status_code == 200
    assert own.json()["outcome"] == "acknowledged"
    assert console.status_code == 403
    assert "belongs to team pay" in console.text
    with site.db.reading() as connection:
        row = connection.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).mappings().one()
    assert (row["status"], row["acknowledged_by"]) == ("acknowledged", "Fatima Hussain (api)")


def _alert(site: Site) -> int:
    signal = Signal("trigger", "pay-api-slow", "api", Subject("service", "pay-api"), "ticket", "slow")
    [received] = receive(site.db, [signal], SystemClock().now())
    assert received.alert_id is not None
    return received.alert_id


def test_an_acknowledge_that_changes_nothing_leaves_no_entry(site):
    alert_id = _alert(site)
    first = site.clients["fatima"].post(f"/api/v1/alerts/{alert_id}/acknowledge")

    again = site.clients["asha"].post(f"/api/v1/alerts/{alert_id}/acknowledge")

    assert (first.json()["outcome"], again.json()["outcome"]) == ("acknowledged", "ignored")
    assert [(e["action"], e["actor"], e["before"], e["after"]) for e in site.entries()] == [
        ("alert.acknowledge", "Fatima Hussain", {"status": "triggered"}, {"status": "acknowledged"})
    ]


def test_a_token_posting_a_console_form_is_audited_as_the_api(site):
    alert_id = _alert(site)
    secret = token_for(site.db, FATIMA, ["alerts"], team="pay")
    client = site.clients["ines"]
    client.cookies.clear()

    answer = client.post(
        f"/alerts/{alert_id}/acknowledge", headers={"Authorization": f"Bearer {secret}"}, follow_redirects=False
    )

    assert answer.status_code == 303, answer.text
    [entry] = [e for e in site.entries() if e["action"] != "token.create"]
    assert (entry["action"], entry["via"]) == ("alert.acknowledge", "api")
    assert entry["token_id"] is not None


def test_services_are_made_and_changed_by_their_owners(site):
    fatima = site.clients["fatima"]
    body = {"id": "pay-admin", "name": "Pay admin", "owner": "pay"}

    made = fatima.post("/api/v1/services", json=body)
    for_notify = fatima.post("/api/v1/services", json=body | {"id": "notify-admin", "owner": "notify"})
    given_away = fatima.put("/api/v1/services/pay-admin", json={"name": "Pay admin", "owner": "notify"})
    taken = site.clients["ines"].delete("/api/v1/services/pay-admin")

    assert made.status_code == 201, made.text
    assert for_notify.status_code == 403
    assert given_away.status_code == 403
    assert taken.status_code == 403
    assert site.clients["asha"].delete("/api/v1/services/pay-admin").status_code == 204


def test_an_integrations_key_is_rotated_by_its_team(site):
    fields = {"replacing": "none", "confirm": "yes"}

    other = site.clients["ines"].post("/integrations/pay-sentry/key", data=fields, headers=SAME_SITE)
    own = site.clients["fatima"].post("/integrations/pay-sentry/key", data=fields, headers=SAME_SITE)

    assert other.status_code == 403
    assert 'data-testid="key"' in own.text


def test_every_change_is_audited_with_who_how_and_before_and_after_and_refusals_are_not(site):
    fatima = site.clients["fatima"]
    made = _silence(fatima, "team=pay").json()
    _silence(fatima, "team=notify")  # refused
    fatima.post(f"/api/v1/silences/{made['id']}/expire")
    site.clients["fatima"].post("/integrations/pay-sentry/key", data={"replacing": "none"}, headers=SAME_SITE)

    entries = site.entries()

    assert [(e["action"], e["actor"], e["via"], e["team_id"]) for e in entries] == [
        ("silence.create", "Fatima Hussain", "api", "pay"),
        ("silence.expire", "Fatima Hussain", "api", "pay"),
        ("integration.rotate-key", "Fatima Hussain", "console", "pay"),
    ]
    created, expired, rotated = entries
    assert created["before"] is None
    assert created["after"]["matchers"] == ["team=pay"]
    assert (expired["before"]["state"], expired["after"]["state"]) == ("active", "expired")
    assert set(rotated["after"]) == {"hint"}  # the key's last characters, never the key
    assert all(e["account_id"] is not None for e in entries)

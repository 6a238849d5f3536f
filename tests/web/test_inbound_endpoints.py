"""The inbound endpoints over real HTTP handling and a real database (both backends), with the example catalog:
alerts are stored before the sender is answered, unknown keys reveal nothing, and no input gets a 500."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.integration_keys import rotate
from watchkeeper.store import alerts as store
from watchkeeper.store import tables as t

PAYLOADS = Path(__file__).resolve().parents[1] / "integrations" / "payloads"
JSON = {"content-type": "application/json"}


def key_for(served, integration_id: str) -> str:
    return rotate(served.db, integration_id, datetime.now(UTC), cli_actor("tests")).key


def open_alert(served, dedup_key: str):
    with served.db.reading() as connection:
        return store.find_open(connection, dedup_key)


def alert_rows(served):
    with served.db.reading() as connection:
        return list(connection.execute(select(t.alerts).order_by(t.alerts.c.id)).mappings())


def alert_count(served) -> int:
    with served.db.reading() as connection:
        return connection.execute(select(func.count()).select_from(t.alerts)).scalar_one()


@pytest.fixture
def alertmanager_url(loaded) -> str:
    return f"/api/v1/integrations/alertmanager/{key_for(loaded, 'pay-alertmanager')}"


def test_alertmanagers_real_posts_open_then_resolve_one_alert_per_fingerprint(loaded, alertmanager_url):
    firing = loaded.client.post(
        alertmanager_url, content=(PAYLOADS / "alertmanager-0.25-firing.json").read_bytes(), headers=JSON
    )
    again = loaded.client.post(
        alertmanager_url, content=(PAYLOADS / "alertmanager-0.25-firing.json").read_bytes(), headers=JSON
    )
    resolved = loaded.client.post(
        alertmanager_url, content=(PAYLOADS / "alertmanager-0.25-one-resolved.json").read_bytes(), headers=JSON
    )

    assert firing.status_code == 200, firing.text
    assert [a["outcome"] for a in firing.json()["alerts"]] == ["opened", "opened"]
    assert [a["outcome"] for a in again.json()["alerts"]] == ["occurred", "occurred"]
    assert [a["outcome"] for a in resolved.json()["alerts"]] == ["resolved", "occurred"]
    first, second = alert_rows(loaded)
    assert (first["dedup_key"], first["status"], first["occurrences"]) == (
        "alertmanager:pay-alertmanager:4ce92b875fe2cee5",
        "resolved",
        2,
    )
    assert (second["status"], second["occurrences"]) == ("triggered", 3)
    assert (first["team_id"], first["service_id"], first["platform_id"], first["subject_kind"]) == (
        "pay",
        "pay-api",
        "paas",
        "service",
    )
    assert (first["source"], first["integration_id"], first["severity"]) == ("alertmanager", "pay-alertmanager", "page")
    assert first["resolved_by"] == "pay-alertmanager"
    assert first["links"][0] == {"href": "https://docs.pay.example.gov.uk/runbooks/api#errors", "text": "Runbook"}


def test_an_alert_naming_nothing_in_the_catalog_belongs_to_the_integrations_team(loaded, alertmanager_url):
    payload = {
        "alerts": [{"status": "firing", "labels": {"alertname": "X", "service": "no-such"}, "fingerprint": "f1"}]
    }

    response = loaded.client.post(alertmanager_url, json=payload)

    assert response.status_code == 200, response.text
    row = open_alert(loaded, "alertmanager:pay-alertmanager:f1")
    assert (row["subject_kind"], row["subject_id"], row["team_id"]) == ("team", "pay", "pay")
    assert row["details"]["subject_note"] == "service 'no-such' is not in the catalog: the alert belongs to team pay"


def test_a_platform_label_makes_the_platform_team_the_owner(loaded, alertmanager_url):
    payload = {"alerts": [{"status": "firing", "labels": {"alertname": "X", "platform": "paas"}, "fingerprint": "f2"}]}

    loaded.client.post(alertmanager_url, json=payload)

    row = open_alert(loaded, "alertmanager:pay-alertmanager:f2")
    assert (row["platform_id"], row["team_id"]) == ("paas", "reliability-engineering")


def test_pagerduty_events_trigger_acknowledge_and_resolve_as_pagerduty_answers(loaded):
    routing_key = key_for(loaded, "re-events")
    trigger = json.loads((PAYLOADS / "pagerduty-trigger.json").read_text()) | {"routing_key": routing_key}

    triggered = loaded.client.post("/v2/enqueue", json=trigger)
    acked = loaded.client.post(
        "/v2/enqueue", json={"routing_key": routing_key, "event_action": "acknowledge", "dedup_key": "srv01/mysql"}
    )
    acked_row = open_alert(loaded, "pagerduty:re-events:srv01/mysql")
    resolved = loaded.client.post(
        "/v2/enqueue", json={"routing_key": routing_key, "event_action": "resolve", "dedup_key": "srv01/mysql"}
    )

    assert triggered.status_code == 202
    assert triggered.json() == {"status": "success", "message": "Event processed", "dedup_key": "srv01/mysql"}
    assert acked.status_code == resolved.status_code == 202
    assert acked_row["status"] == "acknowledged"
    [row] = alert_rows(loaded)
    assert (row["status"], row["team_id"], row["source"], row["severity"]) == (
        "resolved",
        "reliability-engineering",
        "pagerduty",
        "page",
    )


def test_a_pagerduty_trigger_without_a_dedup_key_gets_one_that_later_events_can_use(loaded):
    routing_key = key_for(loaded, "re-events")
    event = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "payload": {"summary": "s", "source": "h", "severity": "info"},
    }

    first = loaded.client.post("/v2/enqueue", json=event).json()["dedup_key"]
    second = loaded.client.post("/v2/enqueue", json=event).json()["dedup_key"]
    loaded.client.post("/v2/enqueue", json={"routing_key": routing_key, "event_action": "resolve", "dedup_key": first})

    assert len(first) == 32
    assert first != second
    assert open_alert(loaded, f"pagerduty:re-events:{first}") is None
    assert open_alert(loaded, f"pagerduty:re-events:{second}")["severity"] == "info"


def test_a_resolve_for_no_open_alert_is_accepted_and_dropped_as_pagerduty_does(loaded):
    routing_key = key_for(loaded, "re-events")

    response = loaded.client.post(
        "/v2/enqueue", json={"routing_key": routing_key, "event_action": "resolve", "dedup_key": "nope"}
    )

    assert response.status_code == 202
    assert alert_count(loaded) == 0


def test_an_invalid_pagerduty_event_gets_pagerdutys_400(loaded):
    routing_key = key_for(loaded, "re-events")

    response = loaded.client.post(
        "/v2/enqueue", json={"routing_key": routing_key, "event_action": "trigger", "payload": {}}
    )

    assert response.status_code == 400
    assert response.json() == {
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": ["'payload.summary' is missing", "'payload.source' is missing", "'payload.severity' is missing"],
    }
    assert alert_count(loaded) == 0


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff\xfe", b""])
def test_a_pagerduty_body_that_is_not_an_event_is_unrecognized(loaded, body):
    response = loaded.client.post("/v2/enqueue", content=body, headers=JSON)

    assert response.status_code == 400
    assert response.json()["status"] == "Unrecognized object"


def test_sentry_issue_alert_then_resolution_close_one_alert(loaded):
    url = f"/api/v1/integrations/sentry/{key_for(loaded, 'pay-sentry')}"
    alert = (PAYLOADS / "sentry-event-alert.json").read_bytes()
    resolved = json.loads((PAYLOADS / "sentry-issue-created.json").read_text())
    resolved["action"] = "resolved"
    resolved["data"]["issue"]["id"] = "1117540176"

    opened = loaded.client.post(url, content=alert, headers=JSON | {"Sentry-Hook-Resource": "event_alert"})
    closed = loaded.client.post(url, json=resolved, headers={"Sentry-Hook-Resource": "issue"})

    assert opened.status_code == closed.status_code == 200
    assert [a["outcome"] for a in opened.json()["alerts"] + closed.json()["alerts"]] == ["opened", "resolved"]
    [row] = alert_rows(loaded)
    assert (row["dedup_key"], row["status"], row["team_id"]) == ("sentry:pay-sentry:1117540176", "resolved", "pay")


def test_a_sentry_webhook_that_is_not_an_alert_succeeds_and_stores_nothing(loaded):
    url = f"/api/v1/integrations/sentry/{key_for(loaded, 'pay-sentry')}"

    response = loaded.client.post(
        url, json={"action": "created", "data": {}}, headers={"Sentry-Hook-Resource": "installation"}
    )

    assert response.status_code == 200
    assert response.json()["note"] == "Sentry-Hook-Resource 'installation' is not an issue alert"
    assert alert_count(loaded) == 0


@pytest.fixture
def generic_key(loaded) -> str:
    loaded.edit(
        "teams/notify.yaml", "    people:", "    integrations:\n      - {id: notify-jobs, type: generic}\n    people:"
    )
    assert loaded.client.post("/api/v1/catalog/reload").status_code == 200
    return key_for(loaded, "notify-jobs")


def test_a_generic_alert_is_stored_and_its_key_returned(loaded, generic_key):
    auth = {"Authorization": f"Bearer {generic_key}"}

    created = loaded.client.post(
        "/api/v1/alerts", json={"summary": "export failed", "service": "notify-api", "severity": "ticket"}, headers=auth
    )
    key = created.json()["dedup_key"]
    resolved = loaded.client.post(
        "/api/v1/alerts", json={"action": "resolve", "dedup_key": key, "actor": "jo"}, headers=auth
    )

    assert created.status_code == resolved.status_code == 200
    assert created.json()["outcome"] == "opened"
    assert resolved.json()["outcome"] == "resolved"
    [row] = alert_rows(loaded)
    assert (row["service_id"], row["severity"], row["status"], row["resolved_by"]) == (
        "notify-api",
        "ticket",
        "resolved",
        "jo",
    )


def test_a_generic_alert_without_a_bearer_key_is_unauthorized(loaded):
    response = loaded.client.post("/api/v1/alerts", json={"summary": "s"})

    assert response.status_code == 401
    assert response.json()["detail"] == "send the integration key as Authorization: Bearer <key>"


def test_a_malformed_generic_alert_is_a_400_that_says_where(loaded, generic_key):
    response = loaded.client.post(
        "/api/v1/alerts",
        json={"summary": "s", "links": [{"href": 3}]},
        headers={"Authorization": f"Bearer {generic_key}"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the payload is not a Watchkeeper alert"
    assert response.json()["errors"] == ["links[0].href: must be text, not a number"]


def test_a_number_no_json_receiver_can_read_is_refused_with_400_naming_where(loaded, generic_key, alertmanager_url):
    """1e400 is read by Python as infinity: PostgreSQL's jsonb refused it (a 500), SQLite kept it, and the webhook
    and PagerDuty channels then sent `Infinity`, which is not JSON and which a strict receiver refuses for good."""
    generic = b'{"dedup_key": "big", "summary": "Export failed", "details": {"rows": 1e400}}'
    pagerduty = (
        b'{"routing_key": "%s", "event_action": "trigger", "payload": {"summary": "s", "source": "s", '
        % (key_for(loaded, "re-events").encode())
        + b'"severity": "error", "custom_details": {"free": -1e999}}}'
    )
    alertmanager = b'{"alerts": [{"labels": {"alertname": "x"}, "annotations": {"n": 1e400}}]}'

    answers = [
        loaded.client.post(
            "/api/v1/alerts", content=generic, headers=JSON | {"Authorization": f"Bearer {generic_key}"}
        ),
        loaded.client.post("/v2/enqueue", content=pagerduty, headers=JSON),
        loaded.client.post(alertmanager_url, content=alertmanager, headers=JSON),
    ]

    assert [a.status_code for a in answers] == [400, 400, 400], [a.text for a in answers]
    assert answers[0].json()["detail"] == "the body holds a number too large to store"
    assert answers[0].json()["errors"] == [
        "details.rows: 1e400 is too large a number (a double holds up to about 1.8e308)"
    ]
    assert answers[1].json()["errors"][1].startswith("payload.custom_details.free: -1e999 is too large a number")
    assert answers[2].json()["errors"] == [
        "alerts[0].annotations.n: 1e400 is too large a number (a double holds up to about 1.8e308)"
    ]
    assert alert_count(loaded) == 0


def unknown_key_requests(loaded, wrong_type_key: str):
    """The same refusal for a key that is unknown, malformed, or another integration type's."""
    for key in ("0" * 32, "short", "A" * 32, wrong_type_key, "x" * 5000):
        yield loaded.client.post(f"/api/v1/integrations/alertmanager/{key}", json={"alerts": []})
        yield loaded.client.post(f"/api/v1/integrations/sentry/{key}", json={})
        yield loaded.client.post("/api/v1/alerts", json={"summary": "s"}, headers={"Authorization": f"Bearer {key}"})


def test_unknown_malformed_and_other_types_keys_all_get_the_same_404(loaded):
    pagerduty_key = key_for(loaded, "re-events")

    answers = {(r.status_code, r.content) for r in unknown_key_requests(loaded, pagerduty_key)}

    assert answers == {
        (404, b'{"type":"about:blank","title":"Not found","status":404,"detail":"no integration has this key"}')
    }
    assert alert_count(loaded) == 0


def test_an_unknown_routing_key_gets_a_404_in_pagerdutys_words(loaded):
    sentry_key = key_for(loaded, "pay-sentry")
    event = {"event_action": "trigger", "payload": {"summary": "s", "source": "h", "severity": "info"}}

    answers = {
        (r.status_code, r.content)
        for r in (
            loaded.client.post("/v2/enqueue", json=event | {"routing_key": key})
            for key in ("0" * 32, sentry_key, "bad")
        )
    }

    assert answers == {
        (
            404,
            b'{"status":"invalid event","message":"Event object is invalid","errors":["no integration has this key"]}',
        )
    }


def test_a_rotated_key_stops_working_at_once(loaded):
    old = key_for(loaded, "pay-alertmanager")
    new = key_for(loaded, "pay-alertmanager")

    assert loaded.client.post(f"/api/v1/integrations/alertmanager/{old}", json={"alerts": []}).status_code == 404
    assert loaded.client.post(f"/api/v1/integrations/alertmanager/{new}", json={"alerts": []}).status_code == 200


def test_a_key_stops_working_when_its_integration_leaves_the_catalog(loaded, alertmanager_url):
    loaded.edit("teams/pay.yaml", "      - id: pay-alertmanager\n        type: alertmanager\n", "")
    assert loaded.client.post("/api/v1/catalog/reload").status_code == 200

    assert loaded.client.post(alertmanager_url, json={"alerts": []}).status_code == 404


def test_a_payload_over_a_mebibyte_is_a_413_with_the_reason(loaded, alertmanager_url):
    def chunks():
        for _ in range(12):
            yield b" " * 100_000

    declared = loaded.client.post(alertmanager_url, content=b" " * (1024 * 1024 + 1), headers=JSON)
    streamed = loaded.client.post(alertmanager_url, content=chunks(), headers=JSON)
    pagerduty = loaded.client.post("/v2/enqueue", content=chunks(), headers=JSON)

    assert [r.status_code for r in (declared, streamed, pagerduty)] == [413, 413, 413]
    assert declared.json()["detail"] == "the body is over 1048576 bytes"


HOSTILE = [
    b"null",
    b"[]",
    b'"alerts"',
    b'{"alerts": null}',
    b'{"alerts": [null]}',
    b'{"alerts": [{"labels": []}]}',
    b'{"alerts": [{"labels": {"a": null}, "annotations": {"b": {"c": 1}}}]}',
    b'{"alerts": [{"fingerprint": 12, "status": true}]}',
    b'{"alerts": [' + b'{"fingerprint": "same"},' * 5000 + b"{}]}",
    b'{"alerts": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
    b"\xc3\x28 not utf-8",
    b'{"alerts": [{"labels": {"alertname": "\\u0000\\ud800"}, "fingerprint": "\\u0000"}]}',
    b'{"alerts": [{"labels": {"x": 1e999}}]}',
    b'{"alerts": [{"annotations": {"summary": NaN}}]}',
]


def test_hostile_bodies_never_get_a_500(loaded, alertmanager_url):
    """One test over every body (each test loads a catalog, and these need the same one)."""
    routing_key = key_for(loaded, "re-events").encode()
    pagerduty_bodies = [
        b"{",
        *HOSTILE,
        b'{"routing_key": ["x"]}',
        b'{"routing_key": "%s", "payload": []}' % routing_key,
    ]

    webhook = {body: loaded.client.post(alertmanager_url, content=body, headers=JSON) for body in HOSTILE}
    enqueue = {
        body: loaded.client.post("/v2/enqueue", content=body, headers={"content-type": "text/plain"})
        for body in pagerduty_bodies
    }

    assert {body: r.status_code for body, r in webhook.items() if r.status_code not in (200, 400)} == {}
    assert {body: r.status_code for body, r in enqueue.items() if r.status_code not in (202, 400)} == {}
    assert {r.headers["content-type"] for r in webhook.values()} <= {"application/json", "application/problem+json"}


def test_a_webhook_in_another_content_type_is_refused_with_415(loaded, alertmanager_url):
    response = loaded.client.post(alertmanager_url, content=b'{"alerts": []}', headers={"content-type": "text/plain"})

    assert response.status_code == 415


def test_nul_in_a_payload_is_stored_on_every_backend(loaded, alertmanager_url):
    payload = (
        b'{"alerts": [{"labels": {"alertname": "a\\u0000b"}, "annotations": {"summary": "x\\u0000"},'
        b' "fingerprint": "nul"}]}'
    )

    response = loaded.client.post(alertmanager_url, content=payload, headers=JSON)

    assert response.status_code == 200, response.text
    assert open_alert(loaded, "alertmanager:pay-alertmanager:nul")["labels"] == {"alertname": "a\ufffdb"}


def test_keys_never_reach_the_request_log(loaded, alertmanager_url, caplog):
    sentry_key = key_for(loaded, "pay-sentry")
    caplog.set_level(logging.INFO)

    loaded.client.post(alertmanager_url, json={"alerts": []})
    loaded.client.post(
        f"/api/v1/integrations/sentry/{sentry_key}", json={}, headers={"Sentry-Hook-Resource": "installation"}
    )

    logged = "\n".join(str(r.msg) for r in caplog.records if r.name.startswith("watchkeeper"))  # not the client's
    assert "/api/v1/integrations/alertmanager/<key>" in logged
    assert "/api/v1/integrations/sentry/<key>" in logged
    assert alertmanager_url.rsplit("/", 1)[1] not in logged
    assert sentry_key not in logged


def test_a_request_that_keeps_losing_races_gets_a_503_to_retry_never_a_500(loaded, generic_key, monkeypatch):
    from watchkeeper.services import inbound
    from watchkeeper.store.contention import Contended

    def contended(*_args):
        raise Contended("others changed the same rows at the same moment 5 times (deadlock detected); try again")

    monkeypatch.setattr(inbound, "accept", contended)

    response = loaded.client.post(
        "/api/v1/alerts", json={"summary": "s"}, headers={"Authorization": f"Bearer {generic_key}"}
    )

    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json()["detail"] == "the alert was not stored: the database is unavailable; retry"


def test_a_database_that_cannot_answer_gets_a_503_to_retry_and_stores_nothing(loaded, alertmanager_url, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from watchkeeper.services import inbound

    def unavailable(*_args):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(inbound, "accept", unavailable)

    response = loaded.client.post(
        alertmanager_url, content=(PAYLOADS / "alertmanager-0.25-firing.json").read_bytes(), headers=JSON
    )

    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json()["detail"] == "the alert was not stored: the database is unavailable; retry"

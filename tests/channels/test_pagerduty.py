"""PagerDuty Events API v2: an event per alert, a dedup_key per Watchkeeper alert, PagerDuty's answers."""

import json
import logging
import math

import pytest
from channel_receivers import Answer, Receiver
from channel_sending import SECRETS, T0, alert, message, render_and_deliver

from watchkeeper.catalog.teams import PagerDutyChannel
from watchkeeper.channels.pagerduty.render import EVENTS_URL, dedup_key, render

ACCEPTED = {"status": "success", "message": "Event processed", "dedup_key": "x"}
INVALID = {"status": "invalid event", "message": "Event object is invalid", "errors": ["'payload' is missing"]}


def config(receiver: Receiver | None = None) -> PagerDutyChannel:
    url = receiver.url("/v2/enqueue") if receiver else None
    return PagerDutyChannel(id="pay-pd", type="pagerduty", routing_key="${ROUTING_KEY}", url=url)


def test_a_trigger_carries_the_payload_pagerduty_asks_for():
    [request] = render(message(), config())

    assert (request.method, request.url) == ("POST", EVENTS_URL)
    assert request.body == {
        "routing_key": "${ROUTING_KEY}",
        "event_action": "trigger",
        "dedup_key": dedup_key(alert()),
        "payload": {
            "summary": "HTTP 503 from /health (attempt 1)",
            "source": "Payments API (pay-api)",
            "severity": "critical",
            "timestamp": "2026-11-26T12:00:00+00:00",
            "group": "pay",
            "custom_details": {
                "watchkeeper_alert": 1,
                "dedup_key": "check:pay-api-health-1",
                "team": "pay",
                "labels": {"env": "production"},
                "details": {"reason": "HTTP 503", "response_ms": 42},
            },
        },
        "client": "Watchkeeper",
        "client_url": "https://watchkeeper.example/alerts/1",
        "links": [
            {"href": "https://runbooks.example/pay-api", "text": "Runbook"},
            {"href": "https://watchkeeper.example/alerts/1", "text": "Watchkeeper alert"},
        ],
    }


@pytest.mark.parametrize(("severity", "expected"), [("page", "critical"), ("ticket", "warning"), ("info", "info")])
def test_severities_map_to_pagerdutys(severity: str, expected: str):
    [request] = render(message(alert(severity=severity)), config())

    assert request.body["payload"]["severity"] == expected


def test_each_alert_gets_its_own_action_and_acks_and_resolves_carry_only_the_key():
    alerts = (alert(1), alert(2, status="acknowledged"), alert(3, status="resolved", resolved_at=T0))

    requests = render(message(*alerts), config())

    assert [r.body["event_action"] for r in requests] == ["trigger", "acknowledge", "resolve"]
    assert requests[1].body == {
        "routing_key": "${ROUTING_KEY}",
        "event_action": "acknowledge",
        "dedup_key": dedup_key(alerts[1]),
    }


def test_the_dedup_key_is_stable_for_an_alert_and_differs_between_alerts():
    assert dedup_key(alert(7)) == dedup_key(alert(7, status="resolved", summary="other words"))
    assert dedup_key(alert(7)) != dedup_key(alert(8))
    assert dedup_key(alert(7)).startswith("watchkeeper-7-")
    assert len(dedup_key(alert(7))) <= 255


def test_a_long_summary_is_cut_to_pagerdutys_limit():
    [request] = render(message(alert(summary="s" * 2000)), config())

    assert len(request.body["payload"]["summary"]) == 1024


def test_it_sends_every_event_with_the_routing_key_resolved(receiver: Receiver):
    receiver.json_answer("/v2/enqueue", 202, ACCEPTED)
    alerts = (alert(1), alert(2, status="resolved", resolved_at=T0))

    outcome = render_and_deliver("pagerduty", config(receiver), message(*alerts))

    assert [r.json()["event_action"] for r in receiver.requests] == ["trigger", "resolve"]
    assert {r.json()["routing_key"] for r in receiver.requests} == {SECRETS["ROUTING_KEY"]}
    assert (outcome.kind, outcome.status_code, outcome.detail) == ("sent", 202, "2 events accepted")


def test_custom_details_pagerduty_cannot_read_go_as_null(receiver: Receiver):
    receiver.json_answer("/v2/enqueue", 202, ACCEPTED)

    outcome = render_and_deliver("pagerduty", config(receiver), message(alert(details={"rows": math.inf})))

    [sent] = receiver.requests
    strict = json.loads(sent.body, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert outcome.kind == "sent"
    assert strict["payload"]["custom_details"]["details"] == {"rows": None}


def test_an_invalid_event_fails_for_good_with_pagerdutys_reason(receiver: Receiver):
    receiver.json_answer("/v2/enqueue", 400, INVALID)

    outcome = render_and_deliver("pagerduty", config(receiver))

    assert (outcome.kind, outcome.status_code) == ("failed", 400)
    assert outcome.detail == "refused: HTTP 400 Event object is invalid: 'payload' is missing"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_retried(receiver: Receiver, status: int):
    receiver.answer("/v2/enqueue", Answer(status, "", {"Retry-After": "12"}))

    outcome = render_and_deliver("pagerduty", config(receiver))

    assert (outcome.kind, outcome.status_code, outcome.retry_after) == ("retry", status, 12.0)


def test_the_first_event_that_fails_stops_the_rest(receiver: Receiver):
    receiver.answer("/v2/enqueue", Answer(202, '{"status": "success"}'), Answer(500, "down"))

    outcome = render_and_deliver("pagerduty", config(receiver), message(alert(1), alert(2), alert(3)))

    assert outcome.kind == "retry"
    assert len(receiver.requests) == 2


def test_no_secret_in_the_request_the_outcome_or_the_logs(receiver: Receiver, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    key = SECRETS["ROUTING_KEY"]
    receiver.json_answer("/v2/enqueue", 400, INVALID | {"errors": [f"routing_key {key} is not known"]})

    outcome = render_and_deliver("pagerduty", config(receiver))

    assert key not in repr(render(message(), config(receiver)))
    assert key not in outcome.detail
    assert "[redacted]" in outcome.detail
    assert key not in caplog.text

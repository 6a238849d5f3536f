"""PagerDuty Events API v2 events into signals, with PagerDuty's refusals."""

import json
from pathlib import Path

import pytest

from watchkeeper.domain.alerts import Link, Subject
from watchkeeper.integrations import Integration
from watchkeeper.integrations.pagerduty_events_v2 import INVALID, UNRECOGNIZED, EventRefused, parse, read, routing_key

PAYLOADS = Path(__file__).parent / "payloads"
EVENTS = Integration("re-events", "reliability-engineering", "pagerduty_events_v2")


def event(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "routing_key": "0" * 32,
        "event_action": "trigger",
        "payload": {"summary": "disk full", "source": "db-1", "severity": "error"},
    }
    return {**base, **fields}


def test_pagerdutys_own_example_event_is_read_whole():
    document = read((PAYLOADS / "pagerduty-trigger.json").read_bytes())

    parsed = parse(document, EVENTS, "unused")

    signal = parsed.inbound.signal
    assert routing_key(document) == "e93facc04764012d7bfb002500d5d1a6"
    assert parsed.dedup_key == "srv01/mysql"
    assert signal.dedup_key == "pagerduty:re-events:srv01/mysql"
    assert (signal.action, signal.severity, signal.source) == ("trigger", "page", "pagerduty")
    assert signal.summary == "DISK at 99% on machine prod-datapipe03.example.com"
    assert signal.labels == {
        "source": "prod-datapipe03.example.com",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
    }
    assert signal.details["custom_details"] == {"free space": "1%", "ping time": "1500ms", "load avg": 0.75}
    assert signal.details["timestamp"] == "2015-07-17T08:42:58.315+0000"
    assert signal.links == (
        Link("http://pagerduty.example.com", "An example link."),
        Link("https://google.com", "An example link with an image"),
        Link("https://monitoring.service.com", "Sample Monitoring Service"),
    )


def test_a_trigger_without_a_dedup_key_gets_the_new_one():
    parsed = parse(event(), EVENTS, "f" * 32)

    assert parsed.dedup_key == "f" * 32
    assert parsed.inbound.signal.dedup_key == f"pagerduty:re-events:{'f' * 32}"


@pytest.mark.parametrize(
    ("given", "severity"), [("critical", "page"), ("error", "page"), ("warning", "ticket"), ("info", "info")]
)
def test_pagerduty_severities_map_to_watchkeepers(given, severity):
    parsed = parse(event(payload={"summary": "s", "source": "x", "severity": given}), EVENTS, "k")

    assert parsed.inbound.signal.severity == severity


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_acknowledge_and_resolve_need_only_the_key(action):
    parsed = parse({"routing_key": "0" * 32, "event_action": action, "dedup_key": "srv01/mysql"}, EVENTS, "unused")

    signal = parsed.inbound.signal
    assert (signal.action, signal.dedup_key, signal.actor) == (action, "pagerduty:re-events:srv01/mysql", "re-events")


def test_custom_details_may_name_the_service():
    payload = {"summary": "s", "source": "x", "severity": "info", "custom_details": {"service": "pay-api"}}

    parsed = parse(event(payload=payload), EVENTS, "k")

    assert parsed.inbound.named == (Subject("service", "pay-api"),)


def test_custom_details_need_not_be_an_object():
    payload = {"summary": "s", "source": "x", "severity": "info", "custom_details": "free text"}

    assert parse(event(payload=payload), EVENTS, "k").inbound.signal.details["custom_details"] == "free text"


@pytest.mark.parametrize(
    ("document", "errors"),
    [
        (
            event(event_action="explode"),
            ["'event_action' is 'explode'; it must be one of trigger, acknowledge, resolve"],
        ),
        ({"routing_key": "k"}, ["'event_action' is missing"]),
        (
            event(payload=None),
            ["'payload' is missing; a trigger event needs payload.summary, payload.source and payload.severity"],
        ),
        (
            event(payload={"summary": "", "severity": "bad"}),
            [
                "'payload.summary' is blank",
                "'payload.source' is missing",
                "'payload.severity' is 'bad'; it must be one of critical, error, warning, info",
            ],
        ),
        (
            event(event_action="resolve"),
            ["'dedup_key' is missing or blank; to resolve an alert, give the dedup_key it was triggered with"],
        ),
        (event(dedup_key="x" * 256), ["'dedup_key' is 256 characters long; at most 255 are allowed"]),
        (
            event(payload={"summary": "s", "source": "x", "severity": "info", "timestamp": "yesterday"}),
            ["'payload.timestamp' 'yesterday' is not an ISO 8601 timestamp"],
        ),
        (
            event(links=[{"text": "no href"}], images="nope"),
            ["'links[0].href' is missing", "'images' must be an array, not text"],
        ),
    ],
)
def test_invalid_events_are_refused_as_pagerduty_does(document, errors):
    with pytest.raises(EventRefused) as refused:
        parse(document, EVENTS, "k")

    assert refused.value.status == INVALID
    assert refused.value.reason == "Event object is invalid"
    assert list(refused.value.errors) == errors


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"", b'"text"'])
def test_a_body_that_is_not_an_event_object_is_unrecognized(body):
    with pytest.raises(EventRefused) as refused:
        read(body)

    assert refused.value.status == UNRECOGNIZED
    assert refused.value.reason == "Event object format is unrecognized"


@pytest.mark.parametrize("document", [{}, {"routing_key": 7}, {"routing_key": "  "}])
def test_an_event_without_a_routing_key_is_invalid(document):
    with pytest.raises(EventRefused) as refused:
        routing_key(document)

    assert refused.value.errors == ("'routing_key' is missing or blank",)


def test_the_summary_is_never_longer_than_pagerdutys_limit():
    long = parse(event(payload={"summary": "x" * 5000, "source": "s", "severity": "info"}), EVENTS, "k")

    assert len(long.inbound.signal.summary) == 5000  # the alert keeps 1,024: domain.alerts cuts it
    assert json.dumps(long.inbound.signal.details)

"""Watchkeeper's generic JSON alert: a small schema, strict about unknown fields."""

import json

import pytest

from watchkeeper.domain.alerts import Link, Subject
from watchkeeper.integrations import BadPayload, Integration
from watchkeeper.integrations.generic import parse

GENERIC = Integration("notify-jobs", "notify", "generic")


def post(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_full_alert_is_read():
    alert = parse(
        post(
            action="trigger",
            dedup_key="nightly-export",
            severity="ticket",
            summary="  nightly export failed  ",
            details={"exit_code": 3, "log": "disk full"},
            links=[{"href": "https://ci.example/run/9", "text": "CI run"}],
            labels={"job": "export"},
            service="notify-api",
        ),
        GENERIC,
        "unused",
    )

    signal = alert.inbound.signal
    assert alert.dedup_key == "nightly-export"
    assert (signal.action, signal.dedup_key, signal.source) == (
        "trigger",
        "generic:notify-jobs:nightly-export",
        "generic",
    )
    assert (signal.severity, signal.summary) == ("ticket", "nightly export failed")
    assert signal.details == {"exit_code": 3, "log": "disk full"}
    assert signal.links == (Link("https://ci.example/run/9", "CI run"),)
    assert signal.labels == {"job": "export"}
    assert alert.inbound.named == (Subject("service", "notify-api"),)


def test_a_bare_summary_is_a_paging_trigger_with_a_new_key():
    alert = parse(post(summary="it broke"), GENERIC, "a" * 32)

    assert alert.dedup_key == "a" * 32
    assert (alert.inbound.signal.action, alert.inbound.signal.severity) == ("trigger", "page")


def test_a_resolution_names_who_resolved_it():
    alert = parse(post(action="resolve", dedup_key="k", actor="jo"), GENERIC, "unused")

    assert (alert.inbound.signal.action, alert.inbound.signal.actor) == ("resolve", "jo")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"summary": "s", "sumary": "typo"}, "sumary: is not a field of a Watchkeeper alert"),
        ({}, "summary: is missing"),
        ({"summary": "s", "action": "fix"}, "action: is 'fix'; it must be one of trigger, acknowledge, resolve"),
        (
            {"action": "acknowledge"},
            "dedup_key: is missing; to acknowledge an alert, give the dedup_key it was triggered with",
        ),
        ({"summary": "s", "severity": "critical"}, "severity: is 'critical'; it must be one of page, ticket, info"),
        ({"summary": "s", "labels": {"team": 1}}, "labels.team: must be text, not a number"),
        (
            {"summary": "s", "links": [{"href": "ftp://x"}]},
            "links[0].href: must be an http:// or https:// URL of at most 2048 characters",
        ),
        (
            {"summary": "s", "links": [{"href": "https://x"}] * 21},
            "links: has 21 links; at most 20 are kept with an alert",
        ),
        ({"summary": "s", "details": [1]}, "details: must be an object, not an array"),
        ({"summary": "s", "service": 5}, "service: must be text, not a number"),
        ({"summary": None}, "summary: is missing"),
    ],
)
def test_mistakes_are_named_with_where(fields, error):
    with pytest.raises(BadPayload) as refused:
        parse(post(**fields), GENERIC, "k")

    assert refused.value.reason == "the payload is not a Watchkeeper alert"
    assert any(found.startswith(error) for found in refused.value.errors), refused.value.errors

"""Sentry's issue alert, issue and legacy plugin webhooks into signals, one alert per Sentry issue."""

import json
from pathlib import Path

import pytest

from watchkeeper.domain.alerts import Link, Subject
from watchkeeper.integrations import BadPayload, Integration
from watchkeeper.integrations.sentry import NotAnAlert, parse

PAYLOADS = Path(__file__).parent / "payloads"
SENTRY = Integration("pay-sentry", "pay", "sentry")


def issue_webhook(action: str, **issue: object) -> bytes:
    document = json.loads((PAYLOADS / "sentry-issue-created.json").read_text())
    document["action"] = action
    document["data"]["issue"] |= issue
    return json.dumps(document).encode()


def test_sentrys_documented_issue_alert_triggers_an_alert_keyed_by_the_issue():
    [inbound] = parse((PAYLOADS / "sentry-event-alert.json").read_bytes(), SENTRY, "event_alert")

    signal = inbound.signal
    assert (signal.action, signal.dedup_key, signal.source) == ("trigger", "sentry:pay-sentry:1117540176", "sentry")
    assert (signal.severity, signal.summary) == ("page", "ReferenceError: heck is not defined")
    assert signal.details["triggered_rule"] == "Very Important Alert Rule!"
    assert signal.details["event_id"] == "e4874d664c3540c1a32eab185f12c5ab"
    assert signal.links == (
        Link(
            "https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/",
            "Sentry issue",
        ),
    )
    assert signal.labels == {"level": "error"}
    assert signal.subject == Subject("team", "pay")


def test_sentrys_documented_issue_webhook_triggers_and_names_the_project():
    [inbound] = parse((PAYLOADS / "sentry-issue-created.json").read_bytes(), SENTRY, "issue")

    signal = inbound.signal
    assert (signal.action, signal.dedup_key) == ("trigger", "sentry:pay-sentry:1170820242")
    assert signal.details["short_id"] == "FRONT-END-9"
    assert signal.labels == {"project": "front-end", "level": "error"}
    assert inbound.named == (Subject("service", "front-end"),)


@pytest.mark.parametrize(
    ("action", "expected"), [("resolved", "resolve"), ("archived", "resolve"), ("unresolved", "trigger")]
)
def test_issue_actions_resolve_or_trigger(action, expected):
    [inbound] = parse(issue_webhook(action), SENTRY, "issue")

    assert inbound.signal.action == expected
    assert inbound.signal.dedup_key == "sentry:pay-sentry:1170820242"


def test_a_resolution_by_a_person_names_them():
    document = json.loads(issue_webhook("resolved"))
    document["actor"] = {"type": "user", "id": "1", "name": "Fatima Khan"}

    [inbound] = parse(json.dumps(document).encode(), SENTRY, "Issue")

    assert inbound.signal.actor == "Fatima Khan (in Sentry)"


def test_an_assignment_changes_no_alert():
    with pytest.raises(NotAnAlert, match="'assigned' does not change an alert"):
        parse(issue_webhook("assigned"), SENTRY, "issue")


@pytest.mark.parametrize("resource", ["installation", "comment", "metric_alert", "error"])
def test_other_resources_are_not_alerts(resource):
    with pytest.raises(NotAnAlert):
        parse(b'{"action": "created", "data": {}}', SENTRY, resource)


def test_the_legacy_webhooks_plugin_post_triggers():
    legacy = {
        "id": 2071567,
        "project": "pay-api",
        "project_name": "pay-api",
        "project_slug": "pay-api",
        "logger": None,
        "level": "warning",
        "culprit": "app.views.pay",
        "message": "card declined storm",
        "url": "https://sentry.example/organizations/gds/issues/2071567/?referrer=webhooks_plugin",
        "triggering_rules": ["Send to Watchkeeper"],
        "event": {"event_id": "ab12", "tags": [["environment", "production"], ["level", "warning"]]},
    }

    [inbound] = parse(json.dumps(legacy).encode(), SENTRY, None)

    signal = inbound.signal
    assert (signal.action, signal.dedup_key, signal.severity) == ("trigger", "sentry:pay-sentry:2071567", "ticket")
    assert signal.summary == "card declined storm"
    assert signal.labels == {"project": "pay-api", "level": "warning", "environment": "production"}
    assert signal.details["triggering_rules"] == ["Send to Watchkeeper"]
    assert inbound.named == (Subject("service", "pay-api"),)


def test_a_service_tag_is_named_before_the_project():
    document = json.loads((PAYLOADS / "sentry-event-alert.json").read_text())
    document["data"]["event"]["tags"].append(["service", "pay-frontend"])

    [inbound] = parse(json.dumps(document).encode(), SENTRY, "event_alert")

    assert inbound.named == (Subject("service", "pay-frontend"),)
    assert inbound.signal.labels["service"] == "pay-frontend"


@pytest.mark.parametrize(
    ("resource", "document", "error"),
    [
        ("event_alert", {"action": "triggered", "data": {"event": {"title": "x"}}}, "data.event.issue_id: is missing"),
        (
            "event_alert",
            {"action": "triggered", "data": {"event": {"issue_id": [1]}}},
            "data.event.issue_id: must be an issue id (text or a number), not an array",
        ),
        ("event_alert", {"action": "triggered", "data": None}, "data: must be an object, not null"),
        (
            "issue",
            {"action": "created", "data": {"issue": {"id": "1", "title": 5}}},
            "data.issue.title: must be text, not a number",
        ),
        (None, {"message": "no id"}, "id: is missing"),
    ],
)
def test_payloads_missing_what_is_needed_are_refused_with_where(resource, document, error):
    with pytest.raises(BadPayload) as refused:
        parse(json.dumps(document).encode(), SENTRY, resource)

    assert error in refused.value.errors

"""Alertmanager's webhook payload (version 4) into signals: one per alert fingerprint, firing or resolved."""

import json
from pathlib import Path

import pytest

from watchkeeper.domain.alerts import Link, Subject
from watchkeeper.integrations import BadPayload, Integration
from watchkeeper.integrations.alertmanager import parse

PAYLOADS = Path(__file__).parent / "payloads"
AM = Integration("pay-alertmanager", "pay", "alertmanager")


def body(**overrides: object) -> bytes:
    alert = {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": "db-1"},
        "annotations": {},
        "startsAt": "2026-11-26T12:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "c6eadffa33fcdf37",
    }
    alert |= overrides
    return json.dumps({"version": "4", "status": "firing", "receiver": "wk", "alerts": [alert]}).encode()


def test_the_captured_payload_of_a_real_alertmanager_gives_one_signal_per_fingerprint():
    firing = parse((PAYLOADS / "alertmanager-0.25-firing.json").read_bytes(), AM)

    assert [i.signal.dedup_key for i in firing] == [
        "alertmanager:pay-alertmanager:4ce92b875fe2cee5",
        "alertmanager:pay-alertmanager:0395d5dc95024554",
    ]
    first = firing[0].signal
    assert (first.action, first.severity, first.source) == ("trigger", "page", "alertmanager")
    assert first.summary == "pay-api 5xx ratio above 5% for 5 minutes"
    assert first.labels["instance"] == "pay-api-1:9102"
    assert first.links[0] == Link("https://docs.pay.example.gov.uk/runbooks/api#errors", "Runbook")
    assert first.links[1].text == "Source"
    assert firing[0].named == (Subject("service", "pay-api"),)
    assert first.subject == Subject("team", "pay")


def test_a_resolved_alert_in_the_group_resolves_and_the_one_still_firing_triggers():
    signals = [i.signal for i in parse((PAYLOADS / "alertmanager-0.25-one-resolved.json").read_bytes(), AM)]

    assert [(s.action, s.dedup_key.rsplit(":", 1)[1]) for s in signals] == [
        ("resolve", "4ce92b875fe2cee5"),
        ("trigger", "0395d5dc95024554"),
    ]
    assert signals[0].actor == "pay-alertmanager"


@pytest.mark.parametrize(
    ("label", "severity"),
    [("critical", "page"), ("page", "page"), ("warning", "ticket"), ("ticket", "ticket"), ("info", "info")],
)
def test_the_severity_label_chooses_the_severity(label, severity):
    [inbound] = parse(body(labels={"alertname": "A", "severity": label}), AM)

    assert inbound.signal.severity == severity


def test_an_alert_without_a_severity_label_pages_and_says_why():
    [inbound] = parse(body(), AM)

    assert inbound.signal.severity == "page"
    assert inbound.signal.details["severity_from"] == "no severity label: page"


def test_an_unknown_severity_label_pages_and_says_so():
    [inbound] = parse(body(labels={"alertname": "A", "severity": "sev9"}), AM)

    assert inbound.signal.severity == "page"
    assert "'sev9' is not one Watchkeeper knows" in inbound.signal.details["severity_from"]


def test_the_summary_falls_back_to_the_description_then_the_alert_name():
    described = parse(body(annotations={"description": "disk at 99%"}), AM)[0].signal
    named = parse(body(), AM)[0].signal

    assert described.summary == "disk at 99%"
    assert named.summary == "DiskFull"


def test_a_service_label_is_named_before_a_platform_label():
    [inbound] = parse(body(labels={"alertname": "A", "platform": "paas", "service": "pay-api"}), AM)

    assert inbound.named == (Subject("service", "pay-api"), Subject("platform", "paas"))


def test_links_other_than_http_are_dropped():
    annotations = {"runbook_url": "javascript:alert(1)", "dashboard": "https://grafana/d/1"}
    [inbound] = parse(body(annotations=annotations, generatorURL=""), AM)

    assert inbound.signal.links == (Link("https://grafana/d/1", "Dashboard"),)


def test_an_alert_without_a_fingerprint_is_keyed_by_its_labels():
    one = parse(body(fingerprint=None), AM)[0].signal.dedup_key
    same = parse(body(fingerprint=None, annotations={"summary": "other text"}), AM)[0].signal.dedup_key
    other = parse(body(fingerprint=None, labels={"alertname": "Other"}), AM)[0].signal.dedup_key

    assert one == same != other
    assert one.startswith("alertmanager:pay-alertmanager:labels-")


def test_every_wrong_field_is_named_with_its_path():
    document = json.loads(body())
    document["alerts"] = [document["alerts"][0], {"status": "burning", "labels": {"alertname": 7}}, "nope"]

    with pytest.raises(BadPayload) as refused:
        parse(json.dumps(document).encode(), AM)

    assert refused.value.reason == "the payload is not an Alertmanager webhook payload (version 4)"
    assert refused.value.errors == (
        "alerts[1].status: is 'burning'; it must be one of firing, resolved",
        "alerts[1].labels.alertname: must be text, not a number",
        "alerts[2]: must be an object, not text",
    )


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"[]", "must be an object, not an array"),
        (b'{"status": "firing"}', "alerts: is missing"),
        (b'{"alerts": {"a": 1}}', "alerts: must be an array, not an object"),
        (
            b'{"alerts": [{"labels": null, "annotations": []}]}',
            "alerts[0].annotations: must be an object, not an array",
        ),
    ],
)
def test_payloads_of_the_wrong_shape_are_refused_with_where(payload, error):
    with pytest.raises(BadPayload) as refused:
        parse(payload, AM)

    assert error in " ".join((refused.value.reason, *refused.value.errors))


def test_grafanas_webhook_payload_of_the_same_shape_is_read():
    grafana = json.loads(body(dashboardURL="https://grafana/d/x", silenceURL="https://grafana/s"))
    grafana |= {"version": "1", "orgId": 1, "title": "[FIRING:1] DiskFull"}

    [inbound] = parse(json.dumps(grafana).encode(), AM)

    assert Link("https://grafana/d/x", "Dashboard") in inbound.signal.links

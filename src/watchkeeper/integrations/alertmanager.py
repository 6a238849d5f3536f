"""Prometheus Alertmanager's webhook payload (version 4; Grafana's webhook contact point sends the same shape):
one signal per alert in the group, keyed by the alert's fingerprint, so each Alertmanager alert is one
Watchkeeper alert however Alertmanager groups them.

https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
"""

import hashlib
import json
from typing import Any

from watchkeeper.domain.alerts import Severity, Signal
from watchkeeper.integrations import Inbound, Integration, named_subjects, team_subject
from watchkeeper.integrations.payloads import Reader, at, links, load_json, web_link

SOURCE = "alertmanager"
FINGERPRINT_LIMIT = 255
SEVERITIES: dict[str, Severity] = {
    "critical": "page",
    "page": "page",
    "error": "page",
    "warning": "ticket",
    "ticket": "ticket",
    "info": "info",
    "none": "info",
}
"""The `severity` label's usual values; an alert without one pages (Alertmanager alerts are meant to)."""
_STATUSES = ("firing", "resolved")


def parse(body: bytes, integration: Integration) -> list[Inbound]:
    """The signals in one webhook post; BadPayload naming every field that is wrong, and nothing is taken then
    (Alertmanager does not retry a 4xx, so a half-taken group would be half lost without anyone knowing)."""
    reader = Reader()
    document = reader.object(load_json(body), "")
    reader.check("the payload must be a JSON object, as Alertmanager's webhook sends")
    group = _group(reader, document)
    alerts = [
        _alert(reader, item, at("alerts", index))
        for index, item in enumerate(reader.array(document, "alerts", "", required=True))
    ]
    reader.check("the payload is not an Alertmanager webhook payload (version 4)")
    return [_inbound(alert, group, integration) for alert in alerts]


def _group(reader: Reader, document: dict[str, Any]) -> dict[str, Any]:
    """What the group adds to each alert's details."""
    reader.text(document, "version", "")
    reader.one_of(document, "status", "", _STATUSES)
    return {
        "receiver": reader.text(document, "receiver", ""),
        "group_key": reader.text(document, "groupKey", ""),
        "external_url": reader.text(document, "externalURL", ""),
        "group_labels": reader.text_map(document, "groupLabels", ""),
    }


def _alert(reader: Reader, item: Any, path: str) -> dict[str, Any]:
    alert = reader.object(item, path)
    status = reader.one_of(alert, "status", path, _STATUSES) or "firing"
    labels = reader.text_map(alert, "labels", path)
    fingerprint = reader.text(alert, "fingerprint", path, limit=FINGERPRINT_LIMIT)
    return {
        "status": status,
        "labels": labels,
        "annotations": reader.text_map(alert, "annotations", path),
        "fingerprint": fingerprint.strip() if fingerprint and fingerprint.strip() else _fingerprint(labels),
        "starts_at": reader.text(alert, "startsAt", path),
        "ends_at": reader.text(alert, "endsAt", path),
        "generator_url": reader.text(alert, "generatorURL", path),
        "dashboard_url": reader.text(alert, "dashboardURL", path),
    }


def _fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager has sent `fingerprint` since 0.19; for older senders, the same idea: a hash of the labels."""
    canonical = json.dumps(sorted(labels.items()), ensure_ascii=False)
    return "labels-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _inbound(alert: dict[str, Any], group: dict[str, Any], integration: Integration) -> Inbound:
    labels: dict[str, str] = alert["labels"]
    annotations: dict[str, str] = alert["annotations"]
    severity, severity_note = severity_of(labels.get("severity"))
    details = {
        "annotations": annotations,
        "starts_at": alert["starts_at"],
        "ends_at": alert["ends_at"],
        "fingerprint": alert["fingerprint"],
        "severity_from": severity_note,
        **{key: value for key, value in group.items() if value},
    }
    signal = Signal(
        action="trigger" if alert["status"] == "firing" else "resolve",
        dedup_key=f"{SOURCE}:{integration.id}:{alert['fingerprint']}",
        source=SOURCE,
        subject=team_subject(integration),
        severity=severity,
        summary=summary_of(labels, annotations, alert["fingerprint"]),
        details=details,
        links=links(
            web_link(annotations.get("runbook_url"), "Runbook"),
            web_link(annotations.get("dashboard") or alert["dashboard_url"], "Dashboard"),
            web_link(alert["generator_url"], "Source"),
        ),
        labels=labels,
        integration_id=integration.id,
        actor=None if alert["status"] == "firing" else integration.id,
    )
    return Inbound(signal, named_subjects(labels.get("service"), labels.get("platform")))


def severity_of(label: str | None) -> tuple[Severity, str]:
    """The severity a `severity` label means, and how it was decided (kept in the alert's details)."""
    if label is None:
        return "page", "no severity label: page"
    found = SEVERITIES.get(label.strip().lower())
    if found is None:
        return "page", f"severity label {label!r} is not one Watchkeeper knows: page"
    return found, f"severity label {label!r}"


def summary_of(labels: dict[str, str], annotations: dict[str, str], fingerprint: str) -> str:
    for text in (annotations.get("summary"), annotations.get("description"), labels.get("alertname")):
        if text and text.strip():
            return text.strip()
    return f"Alertmanager alert {fingerprint}"

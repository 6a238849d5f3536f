"""PagerDuty Events API v2: one event per alert in the message, `trigger`, `acknowledge` or `resolve` as the
alert now stands, under a `dedup_key` that stays the same for the whole life of the Watchkeeper alert, so
PagerDuty's incident follows it. Pure; the routing key stays a `${SECRET}` until send."""

import hashlib
from typing import Any

from watchkeeper.catalog.teams import PagerDutyChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.domain.alerts import Action, Severity, Status

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITIES: dict[Severity, str] = {"page": "critical", "ticket": "warning", "info": "info"}
ACTIONS: dict[Status, Action] = {"triggered": "trigger", "acknowledged": "acknowledge", "resolved": "resolve"}
SUMMARY_LIMIT = 1024
"""PagerDuty's limit for `payload.summary`."""


def render(message: Message, config: PagerDutyChannel) -> tuple[HttpRequest, ...]:
    url = config.url or EVENTS_URL
    return tuple(HttpRequest("POST", url, event(alert, message, config.routing_key)) for alert in message.alerts)


def dedup_key(alert: MessageAlert) -> str:
    """`watchkeeper-<alert id>-<12 hex of its key and the instant it opened>`: one per Watchkeeper alert, and
    unlikely to meet another alert of the same id: another installation's on a shared PagerDuty service, or
    this one's after its database was rebuilt or moved."""
    stamp = f"{alert.dedup_key}|{alert.started_at.isoformat()}"
    return f"watchkeeper-{alert.id}-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}"


def event(alert: MessageAlert, message: Message, routing_key: str) -> dict[str, Any]:
    action = ACTIONS[alert.status]
    found: dict[str, Any] = {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key(alert)}
    if action != "trigger":  # PagerDuty reads only the key of an acknowledge or resolve
        return found
    found["payload"] = {
        "summary": _summary(alert),
        "source": alert.subject,
        "severity": SEVERITIES[alert.severity],
        "timestamp": alert.started_at.isoformat(),
        "group": message.team_id,
        "custom_details": {
            "watchkeeper_alert": alert.id,
            "dedup_key": alert.dedup_key,
            "team": message.team_id,
            "labels": dict(alert.labels),
            "details": dict(alert.details),
        },
    }
    found["client"] = "Watchkeeper"
    if alert.url:
        found["client_url"] = alert.url
    links = [{"href": link.href, "text": link.text or link.href} for link in alert.links]
    if alert.url:
        links.append({"href": alert.url, "text": "Watchkeeper alert"})
    if links:
        found["links"] = links
    return found


def _summary(alert: MessageAlert) -> str:
    summary = alert.summary or alert.subject
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 1] + "…"

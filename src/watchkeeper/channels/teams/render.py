"""A Microsoft Teams message through a Workflows webhook ("Post to a channel when a webhook request is
received"): a `message` whose one attachment is an Adaptive Card, the only format Workflows accepts. Pure."""

from typing import Any

from watchkeeper.catalog.teams import TeamsChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.text import SEVERITY_WORDS, STATUS_WORDS, cut, headline, listed, more_line, when

CARD_VERSION = "1.4"
"""The newest Adaptive Card version Teams renders everywhere, desktop and mobile."""
STATUS_COLOURS = {"triggered": "Attention", "acknowledged": "Warning", "resolved": "Good"}
ACTIONS_LIMIT = 6
"""Teams shows at most six buttons on a card."""


def render(message: Message, config: TeamsChannel) -> HttpRequest:
    return HttpRequest("POST", config.webhook_url, envelope(card(message)))


def envelope(content: dict[str, Any]) -> dict[str, Any]:
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": content}
    return {"type": "message", "attachments": [attachment]}


def card(message: Message) -> dict[str, Any]:
    shown, more = listed(message)
    count = len(message.alerts)
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": cut(headline(message), 300), "size": "Large", "weight": "Bolder", "wrap": True},
        {
            "type": "TextBlock",
            "text": f"{SEVERITY_WORDS[message.severity]} · team {message.team_id} · {count} alert"
            + ("s" if count != 1 else ""),
            "isSubtle": True,
            "spacing": "None",
            "wrap": True,
        },
    ]
    body.extend(_container(alert) for alert in shown)
    if more:
        body.append({"type": "TextBlock", "text": more_line(more), "isSubtle": True, "wrap": True})
    result: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    actions = _actions(shown)
    if actions:
        result["actions"] = actions
    return result


def _container(alert: MessageAlert) -> dict[str, Any]:
    facts = [{"title": "Since", "value": when(alert.started_at)}]
    if alert.resolved_at:
        facts.append({"title": "Resolved", "value": when(alert.resolved_at)})
    facts.append({"title": "Severity", "value": SEVERITY_WORDS[alert.severity]})
    facts.extend({"title": key, "value": value} for key, value in alert.labels.items())
    return {
        "type": "Container",
        "separator": True,
        "items": [
            {
                "type": "TextBlock",
                "text": f"{STATUS_WORDS[alert.status]}: {cut(alert.summary, 500)}",
                "weight": "Bolder",
                "color": STATUS_COLOURS[alert.status],
                "wrap": True,
            },
            {"type": "TextBlock", "text": alert.subject, "isSubtle": True, "spacing": "None", "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }


def _actions(alerts: tuple[MessageAlert, ...]) -> list[dict[str, Any]]:
    """Buttons to each alert's page and links, the first six: a one-alert message gets its runbook too."""
    found: list[dict[str, Any]] = []
    for alert in alerts:
        if alert.url:
            title = "Open in Watchkeeper" if len(alerts) == 1 else f"Open: {cut(alert.subject, 40)}"
            found.append({"type": "Action.OpenUrl", "title": title, "url": alert.url})
        if len(alerts) == 1:
            found.extend(
                {"type": "Action.OpenUrl", "title": link.text or "Link", "url": link.href} for link in alert.links
            )
    return found[:ACTIONS_LIMIT]

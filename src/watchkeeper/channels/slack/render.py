"""A Slack incoming-webhook message: Block Kit for the channel, with `text` as the fallback Slack shows in
notifications and to clients that cannot draw blocks. Pure."""

from typing import Any

from watchkeeper.catalog.teams import SlackChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.text import SEVERITY_WORDS, STATUS_WORDS, alert_line, cut, headline, listed, more_line, when

HEADER_LIMIT = 150
"""Slack's limit for a header block's text."""
SECTION_LIMIT = 3000
"""Slack's limit for a section's text."""
FALLBACK_LIMIT = 3000
FALLBACK_ALERTS = 5


def render(message: Message, config: SlackChannel) -> HttpRequest:
    return HttpRequest("POST", config.webhook_url, {"text": fallback(message), "blocks": blocks(message)})


def fallback(message: Message) -> str:
    """The headline and the first few alerts: what a phone's notification has room for."""
    lines = [headline(message), *(alert_line(alert) for alert in message.alerts[:FALLBACK_ALERTS])]
    if len(message.alerts) > FALLBACK_ALERTS:
        lines.append(more_line(len(message.alerts) - FALLBACK_ALERTS))
    return escape(cut("\n".join(lines), FALLBACK_LIMIT))


def blocks(message: Message) -> list[dict[str, Any]]:
    shown, more = listed(message)
    count = len(message.alerts)
    about = f"*{SEVERITY_WORDS[message.severity]}* · team `{escape(message.team_id)}`"
    about += f" · {count} alert{'s' if count != 1 else ''}"
    result: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": cut(headline(message), HEADER_LIMIT)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": about}]},
    ]
    result.extend(_section(alert) for alert in shown)
    if more:
        result.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more_line(more)}]})
    return result


def _section(alert: MessageAlert) -> dict[str, Any]:
    lines = [f"*{STATUS_WORDS[alert.status]}*: {escape(alert.summary)}", f"_{escape(alert.subject)}_"]
    since = f"Since {when(alert.started_at)}"
    if alert.resolved_at:
        since += f", resolved {when(alert.resolved_at)}"
    lines.append(since)
    links = [link(item.href, item.text or "Link") for item in alert.links]
    if alert.url:
        links.append(link(alert.url, "Open in Watchkeeper"))
    if links:
        lines.append(" · ".join(links))
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut("\n".join(lines), SECTION_LIMIT)}}


def escape(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup; these three are all it asks to be escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(href: str, text: str) -> str:
    return f"<{escape(href).replace('|', '%7C')}|{escape(text).replace('|', '/')}>"

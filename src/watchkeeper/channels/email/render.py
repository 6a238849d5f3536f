"""An email: the same message as plain text and as simple HTML (multipart/alternative), to the channel's
addresses. Pure: the sender address and the SMTP server are the server's settings, applied in send."""

import html
from dataclasses import dataclass

from watchkeeper.catalog.teams import EmailChannel
from watchkeeper.channels import Message, MessageAlert
from watchkeeper.channels.text import (
    SEVERITY_WORDS,
    STATUS_WORDS,
    cut,
    detail_lines,
    headline,
    listed,
    more_line,
    plain_text,
    when,
)

SUBJECT_LIMIT = 200
STATUS_COLOURS = {"triggered": "#d4351c", "acknowledged": "#f47738", "resolved": "#00703c"}


@dataclass(frozen=True, slots=True)
class EmailNote:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    headers: tuple[tuple[str, str], ...] = ()


def render(message: Message, config: EmailChannel) -> EmailNote:
    headers = (
        ("Watchkeeper-Delivery", message.idempotency_key),
        ("Auto-Submitted", "auto-generated"),  # RFC 3834: no out-of-office replies to an alert
    )
    subject = cut(" ".join(headline(message).split()), SUBJECT_LIMIT)
    return EmailNote(tuple(config.to), subject, plain_text(message), html_body(message), headers)


def html_body(message: Message) -> str:
    shown, more = listed(message)
    parts = [
        '<!doctype html><html><body style="font-family: Arial, sans-serif; color: #0b0c0c">',
        f'<h1 style="font-size: 20px">{html.escape(headline(message))}</h1>',
        f"<p>Severity: {SEVERITY_WORDS[message.severity]}. Team: {html.escape(message.team_id)}.</p>",
        *(_alert(alert) for alert in shown),
    ]
    if message.page_url:
        parts.insert(3, f"<p>{_link(message.page_url, 'Acknowledge or resolve')}</p>")
    if more:
        parts.append(f"<p>{html.escape(more_line(more))}</p>")
    parts.append(
        f'<p style="color: #505a5f; font-size: 12px">Sent by Watchkeeper at {when(message.created_at)}. '
        f"Delivery {html.escape(message.idempotency_key)}.</p></body></html>"
    )
    return "\n".join(parts)


def _alert(alert: MessageAlert) -> str:
    colour = STATUS_COLOURS[alert.status]
    facts = [f"Since {when(alert.started_at)}"]
    if alert.resolved_at:
        facts.append(f"resolved {when(alert.resolved_at)}")
    items = [f"<li>{html.escape(line)}</li>" for line in detail_lines(alert.details)]
    if alert.labels:
        labels = ", ".join(f"{key}={value}" for key, value in alert.labels.items())
        items.insert(0, f"<li>Labels: {html.escape(labels)}</li>")
    links = [_link(link.href, link.text or "Link") for link in alert.links]
    if alert.url:
        links.append(_link(alert.url, "Open in Watchkeeper"))
    return "\n".join(
        [
            f'<div style="border-left: 5px solid {colour}; padding-left: 10px; margin-bottom: 15px">',
            f"<p><strong>{STATUS_WORDS[alert.status]}</strong>: {html.escape(alert.summary)}<br>",
            f"{html.escape(alert.subject)} · {SEVERITY_WORDS[alert.severity]} · {', '.join(facts)}</p>",
            f"<ul>{''.join(items)}</ul>" if items else "",
            f"<p>{' · '.join(links)}</p>" if links else "",
            "</div>",
        ]
    )


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'

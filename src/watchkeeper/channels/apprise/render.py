"""Apprise: one title and plain-text body for whatever service the channel's Apprise URL names (Discord,
Telegram, Matrix, ntfy, Pushover and a hundred more). Pure; the URL stays a `${SECRET}` until send."""

from dataclasses import dataclass

from watchkeeper.catalog.teams import AppriseChannel
from watchkeeper.channels import Message
from watchkeeper.channels.text import cut, headline, plain_text

TITLE_LIMIT = 250


@dataclass(frozen=True, slots=True)
class AppriseNote:
    url: str
    title: str
    body: str
    notify_type: str
    """Apprise's own: `failure`, `warning`, `success` or `info`, which some services show as a colour or icon."""


def render(message: Message, config: AppriseChannel) -> AppriseNote:
    return AppriseNote(config.url, cut(headline(message), TITLE_LIMIT), plain_text(message), notify_type(message))


def notify_type(message: Message) -> str:
    if message.action == "resolve":
        return "success"
    if message.severity == "info":
        return "info"
    return "failure" if message.action == "trigger" and message.severity == "page" else "warning"

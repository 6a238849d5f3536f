"""The built-in inbox: a subject and a plain-text body, kept in Watchkeeper's database and shown in the
console. Needs nothing configured, which is why the demo uses it. Pure."""

from dataclasses import dataclass

from watchkeeper.catalog.teams import InboxChannel
from watchkeeper.channels import Message
from watchkeeper.channels.text import cut, headline, plain_text

SUBJECT_LIMIT = 200


@dataclass(frozen=True, slots=True)
class InboxNote:
    message: Message
    subject: str
    body: str


def render(message: Message, config: InboxChannel) -> InboxNote:
    return InboxNote(message, cut(headline(message), SUBJECT_LIMIT), plain_text(message))

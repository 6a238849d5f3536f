"""GOV.UK Notify: an email or a text message to each recipient through the organisation's own Notify
templates. Notify sends only what a template says, so Watchkeeper fills in the template's placeholders
(`((subject))` and `((body))`, README "Notification channels") rather than sending its own text. Pure."""

from dataclasses import dataclass
from typing import Any, Literal

from watchkeeper.catalog.teams import NotifyChannel
from watchkeeper.channels import Message
from watchkeeper.channels.text import alert_line, cut, headline, more_line, page_line, plain_text

NOTIFY_URL = "https://api.notifications.service.gov.uk"
SMS_LIMIT = 612
"""Four text-message fragments: long enough to say what is wrong, short enough not to cost a fortune."""
SMS_ALERTS = 3


@dataclass(frozen=True, slots=True)
class NotifySend:
    kind: Literal["email", "sms"]
    path: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class NotifyWork:
    base_url: str
    api_key: str
    """As the catalog gives it: a `${SECRET}` reference, resolved at send time."""
    sends: tuple[NotifySend, ...]


def render(message: Message, config: NotifyChannel) -> NotifyWork:
    sends = tuple(_send(to, message, config) for to in config.to)
    return NotifyWork((config.base_url or NOTIFY_URL).rstrip("/"), config.api_key, sends)


def personalisation(message: Message, kind: Literal["email", "sms"]) -> dict[str, str]:
    url = next((alert.url for alert in message.alerts if alert.url), None)
    return {
        "subject": headline(message),
        "body": plain_text(message) if kind == "email" else sms_text(message),
        "action": message.action,
        "severity": message.severity,
        "team": message.team_id,
        "url": url or "",
    }


def sms_text(message: Message) -> str:
    """The headline and the first alerts; a page's link goes last and is never cut, so it always works."""
    lines = [headline(message), *(alert_line(alert) for alert in message.alerts[:SMS_ALERTS])]
    if len(message.alerts) > SMS_ALERTS:
        lines.append(more_line(len(message.alerts) - SMS_ALERTS))
    if message.page_url is None:
        return cut("\n".join(lines), SMS_LIMIT)
    link = "\n" + page_line(message.page_url)
    return cut("\n".join(lines), max(SMS_LIMIT - len(link), 40)) + link


def _send(to: str, message: Message, config: NotifyChannel) -> NotifySend:
    kind: Literal["email", "sms"] = "email" if "@" in to else "sms"
    template = config.email_template_id if kind == "email" else config.sms_template_id
    body = {
        "email_address" if kind == "email" else "phone_number": to,
        "template_id": template,
        "personalisation": personalisation(message, kind),
        "reference": message.idempotency_key,
    }
    return NotifySend(kind, f"/v2/notifications/{kind}", body)

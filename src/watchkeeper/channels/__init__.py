"""Notification channels: how a message leaves Watchkeeper (email, Slack, Teams, webhook, PagerDuty, Zendesk,
GOV.UK Notify, Apprise, the built-in inbox).

Each channel type is a plugin registered under the entry-point group `watchkeeper.channels`, the built-ins
included. A type has a pure `render` (message and configuration in, the request to make out; secrets still in
their `${NAME}` form) and a `send` that makes the request and says how it went. Rendering apart from sending
lets a test, a preview or a delivery log show exactly what is sent without sending it or revealing a secret.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Literal, Protocol

from watchkeeper.domain.alerts import Action, Link, Severity, Status

ENTRY_POINT_GROUP = "watchkeeper.channels"


@dataclass(frozen=True, slots=True)
class MessageAlert:
    """One alert as a message tells of it."""

    id: int
    dedup_key: str
    status: Status
    severity: Severity
    summary: str
    subject: str
    """What it is about, as a person reads it: "Card payments frontend (pay-frontend-home)"."""
    started_at: datetime
    resolved_at: datetime | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    """The alert's page in the console, when the public URL is known."""


@dataclass(frozen=True, slots=True)
class Message:
    """One notification to one channel: a group's alerts that changed, or one alert's action."""

    idempotency_key: str
    """The same on every attempt to send this notification; receivers that accept one get it."""
    team_id: str
    channel_id: str
    action: Action
    """`trigger` when any alert in it is open, `resolve` when all are resolved, `acknowledge` for an ack."""
    severity: Severity
    title: str
    alerts: tuple[MessageAlert, ...]
    created_at: datetime
    page_link: int | None = None
    """A page's one-click link (its id): set when a person is paged."""
    page_url: str | None = None
    """That link, signed: added just before rendering, so the outbox never holds it."""


OutcomeKind = Literal["sent", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt went. `retry` is a transient failure (timeout, refused, 429, 5xx) worth trying again;
    `failed` is permanent (a 4xx that will not change, configuration that cannot work)."""

    kind: OutcomeKind
    detail: str
    """Short and free of secrets: what a person reading the delivery log needs."""
    status_code: int | None = None
    retry_after: float | None = None
    """Seconds the receiver asked us to wait (Retry-After), when it did."""


class Memory(Protocol):
    """What a channel remembers between messages, by key (a Zendesk ticket id by alert)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class SendContext:
    """What `send` may use; built by the engine. Secrets are resolved only through `secret`."""

    secret: Callable[[str], str]
    """`${NAME}` references in a text replaced by their values; raises SecretMissing when one is not set."""
    http: Any
    """An aiohttp ClientSession shared by the sends of one worker."""
    memory: Memory
    timeout: float = 10.0
    smtp_url: str | None = None
    """WATCHKEEPER_SMTP_URL: smtp[s]://[user:password@]host[:port], for email channels."""
    email_from: str = "watchkeeper@localhost"
    keep_in_inbox: Callable[[Message, str, str], None] | None = None
    """(message, subject, body) -> None: stores a message for the console's inbox."""


Render = Callable[[Message, Any], Any]
Send = Callable[[Any, Any, SendContext], Awaitable[Outcome]]


@dataclass(frozen=True)
class ChannelType:
    name: str
    description: str
    render: Render
    send: Send


class UnknownChannelType(LookupError):
    pass


@cache
def channel_types() -> dict[str, ChannelType]:
    """Every registered channel type by name."""
    found: dict[str, ChannelType] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        kind = point.load()
        if not isinstance(kind, ChannelType):
            raise TypeError(f"entry point {point.name} in {ENTRY_POINT_GROUP} is not a ChannelType")
        found[point.name] = kind
    return found


def channel_type(name: str) -> ChannelType:
    try:
        return channel_types()[name]
    except KeyError:
        raise UnknownChannelType(f"no channel type {name!r} is installed") from None

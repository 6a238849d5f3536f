"""PagerDuty's Events API v2 (`POST /v2/enqueue`), as PagerDuty documents it, so that any tool that can send
to PagerDuty can send here by changing its URL: the routing key is the integration key, `dedup_key` ties a
trigger to its acknowledge and resolve, and a trigger without one gets a new key, returned to the sender.

https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (the docs' source: PagerDuty/developer-docs,
docs/events-API-v2/02-Trigger-Events.md; the OpenAPI document: PagerDuty/api-schema, reference/events-v2).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from watchkeeper.domain.alerts import Action, Severity, Signal
from watchkeeper.integrations import BadPayload, Inbound, Integration, named_subjects, team_subject
from watchkeeper.integrations.payloads import Reader, at, links, load_json, web_link

SOURCE = "pagerduty"
DEDUP_KEY_LIMIT = 255
ACTIONS: tuple[Action, ...] = ("trigger", "acknowledge", "resolve")
SEVERITIES: dict[str, Severity] = {"critical": "page", "error": "page", "warning": "ticket", "info": "info"}
UNRECOGNIZED = "Unrecognized object"
"""PagerDuty's `status` for a body that is not a JSON object; `INVALID` for an event with wrong fields."""
INVALID = "invalid event"
MESSAGES = {UNRECOGNIZED: "Event object format is unrecognized", INVALID: "Event object is invalid"}


class EventRefused(BadPayload):
    """A refusal in PagerDuty's words: `status` is UNRECOGNIZED or INVALID, `errors` the specific problems."""

    def __init__(self, status: str, errors: tuple[str, ...]) -> None:
        super().__init__(MESSAGES[status], errors)
        self.status = status


@dataclass(frozen=True, slots=True)
class Event:
    """One event, and the dedup key to answer with (the sender's, or a new one for a trigger without one)."""

    dedup_key: str
    inbound: Inbound


def read(body: bytes) -> dict[str, Any]:
    """The event object in `body`; EventRefused (UNRECOGNIZED) when it is not a JSON object."""
    try:
        document = load_json(body)
    except BadPayload as error:
        raise EventRefused(UNRECOGNIZED, (error.reason, *error.errors)) from None
    if not isinstance(document, dict):
        raise EventRefused(UNRECOGNIZED, ("the event must be a JSON object",))
    return document


def routing_key(event: dict[str, Any]) -> str:
    """The routing key the event names; EventRefused when it names none."""
    key = event.get("routing_key")
    if not isinstance(key, str) or not key.strip():
        raise EventRefused(INVALID, ("'routing_key' is missing or blank",))
    return key


def parse(event: dict[str, Any], integration: Integration, new_dedup_key: str) -> Event:
    """The signal `event` carries for `integration`; `new_dedup_key` is used for a trigger that has no key
    (the caller makes it, so that this stays free of randomness)."""
    reader = Reader(quote_paths=True)
    action = reader.one_of(event, "event_action", "", ACTIONS, required=True)
    given = (reader.text(event, "dedup_key", "", limit=DEDUP_KEY_LIMIT) or "").strip()
    if action in ("acknowledge", "resolve") and not given:
        reader.note("dedup_key", f"is missing or blank; to {action} an alert, give the dedup_key it was triggered with")
    key = given or new_dedup_key
    trigger = action == "trigger"
    inbound = _trigger(reader, event, integration, key) if trigger else _follow_up(integration, key, action)
    try:
        reader.check(MESSAGES[INVALID])
    except BadPayload as error:
        raise EventRefused(INVALID, error.errors) from None
    return Event(key, inbound)


def _follow_up(integration: Integration, key: str, action: str | None) -> Inbound:
    """Acknowledge and resolve need only the key; anything else they carry is ignored, as PagerDuty does."""
    signal = Signal(
        action="acknowledge" if action == "acknowledge" else "resolve",
        dedup_key=_scoped(integration, key),
        source=SOURCE,
        subject=team_subject(integration),
        integration_id=integration.id,
        actor=integration.id,
    )
    return Inbound(signal)


def _trigger(reader: Reader, event: dict[str, Any], integration: Integration, key: str) -> Inbound:
    given = event.get("payload") is not None
    if not given:
        reader.note("payload", "is missing; a trigger event needs payload.summary, payload.source and payload.severity")
    payload = reader.optional_object(event, "payload", "")
    summary = reader.text(payload, "summary", "payload", required=given)
    source = reader.text(payload, "source", "payload", required=given)
    severity = reader.one_of(payload, "severity", "payload", tuple(SEVERITIES), required=given)
    timestamp = reader.text(payload, "timestamp", "payload")
    if timestamp is not None and not _is_timestamp(timestamp):
        reader.note("payload.timestamp", f"{timestamp!r} is not an ISO 8601 timestamp")
    custom = payload.get("custom_details")
    fields = {name: reader.text(payload, name, "payload") for name in ("component", "group", "class")}
    client = reader.text(event, "client", "")
    client_url = reader.text(event, "client_url", "")
    signal = Signal(
        action="trigger",
        dedup_key=_scoped(integration, key),
        source=SOURCE,
        subject=team_subject(integration),
        severity=SEVERITIES.get(severity or "", "page"),
        summary=(summary or "").strip(),
        details=_details(source, severity, timestamp, fields, custom, client),
        links=links(*_links(reader, event), web_link(client_url, client or "Sent by")),
        labels={name: value for name, value in (("source", source), *fields.items()) if value},
        integration_id=integration.id,
    )
    named = custom if isinstance(custom, dict) else {}
    service, platform = named.get("service"), named.get("platform")
    return Inbound(signal, named_subjects(_text(service), _text(platform)))


def _details(
    source: str | None,
    severity: str | None,
    timestamp: str | None,
    fields: dict[str, str | None],
    custom: Any,
    client: str | None,
) -> dict[str, Any]:
    details: dict[str, Any] = {"source": source, "pagerduty_severity": severity, "timestamp": timestamp}
    details |= fields | {"client": client}
    if custom is not None:
        details["custom_details"] = custom
    return {name: value for name, value in details.items() if value is not None}


def _links(reader: Reader, event: dict[str, Any]) -> list[Any]:
    """`links` (href, text) and `images` (src, href, alt): an image is kept as a link to where it points."""
    found = []
    for index, item in enumerate(reader.array(event, "links", "")):
        link = reader.object(item, at("links", index))
        href = reader.text(link, "href", at("links", index), required=True)
        found.append(web_link(href, reader.text(link, "text", at("links", index)) or ""))
    for index, item in enumerate(reader.array(event, "images", "")):
        image = reader.object(item, at("images", index))
        src = reader.text(image, "src", at("images", index), required=True)
        href = reader.text(image, "href", at("images", index))
        found.append(web_link(href or src, reader.text(image, "alt", at("images", index)) or "Image"))
    return found


def _scoped(integration: Integration, key: str) -> str:
    return f"{SOURCE}:{integration.id}:{key}"


def _is_timestamp(text: str) -> bool:
    try:
        datetime.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None

"""Watchkeeper's own small JSON schema for anything that can make an HTTP request (`POST /api/v1/alerts` with
`Authorization: Bearer <key>` of a `generic` integration). The README's "Sending alerts to Watchkeeper" shows
it; unknown fields are refused, so a misspelt one is reported rather than quietly dropped."""

from dataclasses import dataclass
from typing import Any

from watchkeeper.domain.alerts import SEVERITIES, Action, Severity, Signal
from watchkeeper.integrations import Inbound, Integration, named_subjects, team_subject
from watchkeeper.integrations.payloads import Reader, at, links, load_json, web_link

SOURCE = "generic"
ACTIONS: tuple[Action, ...] = ("trigger", "acknowledge", "resolve")
DEDUP_KEY_LIMIT = 255
TEXT_LIMIT = 200
"""Characters in an id, an actor, a label name or value."""
LINKS_LIMIT = 20
LABELS_LIMIT = 64
FIELDS = ("action", "dedup_key", "severity", "summary", "details", "links", "labels", "service", "platform", "actor")


@dataclass(frozen=True, slots=True)
class Alert:
    """One posted alert, and the dedup key to answer with (the sender's, or a new one for a trigger)."""

    dedup_key: str
    inbound: Inbound


def parse(body: bytes, integration: Integration, new_dedup_key: str) -> Alert:
    """The signal in one post; `new_dedup_key` is used for a trigger that has no key."""
    reader = Reader()
    document = reader.object(load_json(body), "")
    reader.check("the payload must be a JSON object")
    for name in document:
        if name not in FIELDS:
            reader.note(at("", name), f"is not a field of a Watchkeeper alert ({', '.join(FIELDS)})")
    action = _action(reader, document)
    given = (reader.text(document, "dedup_key", "", limit=DEDUP_KEY_LIMIT) or "").strip()
    if action != "trigger" and not given:
        reader.note("dedup_key", f"is missing; to {action} an alert, give the dedup_key it was triggered with")
    summary = reader.text(document, "summary", "", required=action == "trigger")
    signal = Signal(
        action=action,
        dedup_key=f"{SOURCE}:{integration.id}:{given or new_dedup_key}",
        source=SOURCE,
        subject=team_subject(integration),
        severity=_severity(reader, document),
        summary=(summary or "").strip(),
        details=reader.optional_object(document, "details", ""),
        links=_links(reader, document),
        labels=_labels(reader, document),
        integration_id=integration.id,
        actor=(reader.text(document, "actor", "", limit=TEXT_LIMIT) or integration.id) if action != "trigger" else None,
    )
    service = reader.text(document, "service", "", limit=TEXT_LIMIT)
    platform = reader.text(document, "platform", "", limit=TEXT_LIMIT)
    reader.check("the payload is not a Watchkeeper alert")
    return Alert(given or new_dedup_key, Inbound(signal, named_subjects(service, platform)))


def _action(reader: Reader, document: dict[str, Any]) -> Action:
    named = reader.one_of(document, "action", "", ACTIONS)
    return next((action for action in ACTIONS if action == named), "trigger")


def _severity(reader: Reader, document: dict[str, Any]) -> Severity:
    named = reader.one_of(document, "severity", "", SEVERITIES)
    return next((severity for severity in SEVERITIES if severity == named), "page")


def _links(reader: Reader, document: dict[str, Any]) -> tuple[Any, ...]:
    items = reader.array(document, "links", "")
    if len(items) > LINKS_LIMIT:
        reader.note("links", f"has {len(items)} links; at most {LINKS_LIMIT} are kept with an alert")
        return ()
    found = []
    for index, item in enumerate(items):
        path = at("links", index)
        link = reader.object(item, path)
        href = reader.text(link, "href", path, required=True)
        text = reader.text(link, "text", path, limit=TEXT_LIMIT) or ""
        kept = web_link(href, text)
        if href is not None and kept is None:
            reader.note(at(path, "href"), "must be an http:// or https:// URL of at most 2048 characters")
        found.append(kept)
    return links(*found)


def _labels(reader: Reader, document: dict[str, Any]) -> dict[str, str]:
    labels = reader.text_map(document, "labels", "")
    if len(labels) > LABELS_LIMIT:
        reader.note("labels", f"has {len(labels)} labels; at most {LABELS_LIMIT} are allowed")
    for name, value in labels.items():
        if not name or len(name) > TEXT_LIMIT or len(value) > TEXT_LIMIT:
            reader.note(at("labels", name), f"names and values are 1 to {TEXT_LIMIT} characters")
    return labels

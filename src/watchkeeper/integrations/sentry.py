"""Sentry webhooks for issue alerts: an internal integration's `event_alert` (an alert rule fired) and `issue`
(created, resolved, archived, unresolved) webhooks, told apart by the `Sentry-Hook-Resource` header, and the
legacy WebHooks plugin's post, which has no such header. One Watchkeeper alert per Sentry issue.

https://docs.sentry.io/organization/integrations/integration-platform/webhooks/issue-alerts/
https://docs.sentry.io/organization/integrations/integration-platform/webhooks/issues/
The legacy plugin's payload: getsentry/sentry, src/sentry/plugins/sentry_webhooks/plugin.py (`get_group_data`).
"""

from dataclasses import dataclass
from typing import Any

from watchkeeper.domain.alerts import Action, Severity, Signal
from watchkeeper.integrations import Inbound, Integration, named_subjects, team_subject
from watchkeeper.integrations.payloads import Reader, at, links, load_json, type_name, web_link

SOURCE = "sentry"
ID_LIMIT = 64
LEVELS: dict[str, Severity] = {"fatal": "page", "error": "page", "warning": "ticket", "info": "info", "debug": "info"}
"""Sentry's event levels; an issue with none, or another, pages (an alert rule chose to tell someone)."""
ISSUE_ACTIONS: dict[str, Action] = {
    "created": "trigger",
    "unresolved": "trigger",  # reopened, regressed or escalating
    "resolved": "resolve",
    "archived": "resolve",  # archived (once "ignored"): Sentry will not ask about it until it escalates
    "ignored": "resolve",
}


class NotAnAlert(Exception):
    """A well-formed Sentry webhook that asks nothing of anyone (an installation, a comment, an assignment):
    answered with success, so that Sentry keeps the integration enabled, and nothing is stored."""


@dataclass(frozen=True, slots=True)
class _Issue:
    """What every Sentry shape says about the issue, once read."""

    id: str
    title: str
    level: str | None
    web_url: str | None
    project: str | None
    tags: dict[str, str]
    details: dict[str, Any]


def parse(body: bytes, integration: Integration, resource: str | None) -> list[Inbound]:
    """The signal in one webhook post. `resource` is the Sentry-Hook-Resource header (None for the legacy
    plugin). NotAnAlert for a resource or action that is not about an alert; BadPayload when a needed field is
    missing or wrong."""
    reader = Reader()
    document = reader.object(load_json(body), "")
    reader.check("the payload must be a JSON object, as Sentry's webhooks send")
    resource = (resource or "").strip().lower() or None
    action, issue = _read(reader, document, resource)
    reader.check(f"the payload is not a Sentry {resource or 'WebHooks plugin'} webhook")
    assert issue is not None  # every problem was noted, and check() raised
    return [_inbound(action, issue, document, integration)]


def _read(reader: Reader, document: dict[str, Any], resource: str | None) -> tuple[Action, _Issue | None]:
    if resource is None:
        return "trigger", _legacy(reader, document)
    action = reader.text(document, "action", "", required=True)
    data = reader.object(document.get("data"), "data")
    if resource == "event_alert":
        return "trigger", _event_alert(reader, data)
    if resource == "issue":
        if action is not None and action not in ISSUE_ACTIONS:
            raise NotAnAlert(f"Sentry issue action {action!r} does not change an alert")
        return ISSUE_ACTIONS.get(action or "", "trigger"), _issue(reader, data)
    raise NotAnAlert(f"Sentry-Hook-Resource {resource!r} is not an issue alert")


def _event_alert(reader: Reader, data: dict[str, Any]) -> _Issue | None:
    event = reader.object(data.get("event"), "data.event")
    issue_id = _id(reader, event, "issue_id", "data.event")
    rule = reader.text(data, "triggered_rule", "data")
    tags = _tags(event.get("tags"))
    details = {"triggered_rule": rule, "event_id": reader.text(event, "event_id", "data.event")}
    return _issue_of(reader, event, "data.event", issue_id, tags, details, project=None)


def _issue(reader: Reader, data: dict[str, Any]) -> _Issue | None:
    issue = reader.object(data.get("issue"), "data.issue")
    issue_id = _id(reader, issue, "id", "data.issue")
    project = issue.get("project")
    slug = project.get("slug") if isinstance(project, dict) else None
    details = {
        "short_id": reader.text(issue, "shortId", "data.issue"),
        "status": reader.text(issue, "status", "data.issue"),
        "substatus": reader.text(issue, "substatus", "data.issue"),
    }
    return _issue_of(reader, issue, "data.issue", issue_id, {}, details, project=_text(slug))


def _legacy(reader: Reader, document: dict[str, Any]) -> _Issue | None:
    issue_id = _id(reader, document, "id", "")
    event = document.get("event")
    event = event if isinstance(event, dict) else {}
    title = _text(event.get("title")) or reader.text(document, "message", "")
    details = {"triggering_rules": document.get("triggering_rules"), "event_id": _text(event.get("event_id"))}
    fields = {**document, "title": title, "web_url": reader.text(document, "url", "")}
    return _issue_of(reader, fields, "", issue_id, _tags(event.get("tags")), details, _text(document.get("project")))


def _issue_of(
    reader: Reader,
    fields: dict[str, Any],
    path: str,
    issue_id: str | None,
    tags: dict[str, str],
    details: dict[str, Any],
    project: str | None,
) -> _Issue | None:
    title = reader.text(fields, "title", path)
    culprit = reader.text(fields, "culprit", path)
    level = reader.text(fields, "level", path) or tags.get("level")
    web_url = reader.text(fields, "web_url", path) or reader.text(fields, "permalink", path)
    if issue_id is None:
        return None
    summary = (title or culprit or f"Sentry issue {issue_id}").strip()
    kept = {"issue_id": issue_id, "project": project, "level": level, "culprit": culprit, **details}
    kept = {name: value for name, value in kept.items() if value not in (None, "", [], {})}
    return _Issue(issue_id, summary, level, web_url, project, tags, kept)


def _id(reader: Reader, fields: dict[str, Any], key: str, path: str) -> str | None:
    """Sentry's ids are text in the integration platform's payloads and numbers in some older ones."""
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip() and len(value) <= ID_LIMIT:
        return value.strip()
    if value is None:
        reader.note(at(path, key), "is missing")
    else:
        reader.note(at(path, key), f"must be an issue id (text or a number), not {type_name(value)}")
    return None


def _tags(value: Any) -> dict[str, str]:
    """Tags as Sentry writes them: [["key", "value"], ...], [{"key": ..., "value": ...}, ...] or an object.
    Extra context only: odd entries are skipped rather than refused."""
    pairs: list[Any] = list(value.items()) if isinstance(value, dict) else value if isinstance(value, list) else []
    tags: dict[str, str] = {}
    for pair in pairs:
        if isinstance(pair, dict):
            pair = (pair.get("key"), pair.get("value"))
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(part, str) for part in pair):
            tags[pair[0]] = pair[1]
    return tags


def _inbound(action: Action, issue: _Issue, document: dict[str, Any], integration: Integration) -> Inbound:
    severity: Severity = LEVELS.get((issue.level or "").lower(), "page")
    labels = {"project": issue.project, "level": issue.level}
    labels |= {name: issue.tags.get(name) for name in ("environment", "release", "service")}
    signal = Signal(
        action=action,
        dedup_key=f"{SOURCE}:{integration.id}:{issue.id}",
        source=SOURCE,
        subject=team_subject(integration),
        severity=severity,
        summary=issue.title if action == "trigger" else "",
        details=issue.details,
        links=links(web_link(issue.web_url, "Sentry issue")),
        labels={name: value for name, value in labels.items() if value},
        integration_id=integration.id,
        actor=None if action == "trigger" else _actor(document, integration),
    )
    return Inbound(signal, named_subjects(issue.tags.get("service") or issue.project, None))


def _actor(document: dict[str, Any], integration: Integration) -> str:
    """The person who resolved or archived the issue in Sentry, when the payload names one."""
    actor = document.get("actor")
    name = actor.get("name") if isinstance(actor, dict) and actor.get("type") == "user" else None
    return f"{name} (in Sentry)" if isinstance(name, str) and name.strip() else integration.id


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None

"""The responses people save from the PagerDuty REST API v2, read into one record per user, schedule,
escalation policy and team, from any number of files.

A file holds a list response (`{"users": [...], "limit": 25, "offset": 0, "more": false}`), a single-object
response (`{"schedule": {...}}`), one object saved without its wrapper (it names itself in `type`), or a JSON
array of any of these. Responses the import does not carry over (services, overrides, ...) are recognised and
counted so that the report can name them; anything else is a problem. See docs/adr/0035.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from watchkeeper.importers.fields import Fields, child, kind_of
from watchkeeper.importers.problems import ExportProblem

KINDS = {"users": "user", "schedules": "schedule", "escalation_policies": "escalation_policy", "teams": "team"}
"""Each kind the import reads: its list response's key, and its single response's key (also its `type`)."""

_REASONS = {
    "services": "services are not carried over: a team's routes and integrations decide where its alerts go",
    "overrides": "overrides are runtime state, not catalog: make the ones still ahead again in Watchkeeper",
    "integrations": "integrations are not carried over: Watchkeeper issues its own integration keys",
    "oncalls": "who is on call is worked out from the schedules, not copied",
    "contact_methods": "a contact methods response does not say whose they are: save GET /users with "
    "include[]=contact_methods instead",
    "notification_rules": "a notification rules response does not say whose they are: save GET /users with "
    "include[]=notification_rules instead",
    "members": "team membership is read from each user's teams, not from a members response",
}
_OTHERS = (
    "incidents",
    "log_entries",
    "maintenance_windows",
    "extensions",
    "business_services",
    "response_plays",
    "rulesets",
    "event_orchestrations",
    "webhook_subscriptions",
    "addons",
    "tags",
    "priorities",
    "vendors",
    "alerts",
    "notifications",
)
_SINGULAR = {"log_entries": "log_entry", "priorities": "priority"}
SHAPES = (
    '{"users": [...]}, {"schedule": {...}}, {"escalation_policies": [...]}, {"teams": [...]} or a JSON array of '
    "such responses"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what the catalog refuses in text


@dataclass(frozen=True)
class Record:
    """One user, schedule, escalation policy or team, and where it is."""

    kind: str
    id: str
    fields: Fields
    file: str

    @property
    def where(self) -> str:
        return f"{self.file}: {self.fields.location}"

    def label(self) -> str:
        name = self.fields.data.get("name") or self.fields.data.get("summary")
        shown = f' "{name}"' if isinstance(name, str) and name else ""
        return f"PagerDuty {self.kind.replace('_', ' ')} {self.id}{shown}"


@dataclass(frozen=True)
class Skip:
    """A record the import leaves behind, and why."""

    record: Record
    reason: str


@dataclass(frozen=True)
class LeftBehind:
    """A response of a kind the import does not carry over."""

    file: str
    location: str
    key: str
    """The list key: `services`."""
    noun: str
    """One of them: `service`."""
    count: int
    reason: str


@dataclass(frozen=True)
class Page:
    """One page of a list response: enough to tell whether a later page was left out of the export."""

    kind: str
    file: str
    offset: int
    size: int
    more: bool


@dataclass
class Export:
    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {kind: {} for kind in KINDS.values()})
    left_behind: list[LeftBehind] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    sources: list[tuple[str, list[ExportProblem]]] = field(default_factory=list)
    """Each file and the problems found in it, by this module or later while converting its records."""

    def of(self, kind: str) -> dict[str, Record]:
        return self.records[kind]

    def problems(self) -> list[ExportProblem]:
        return [replace(problem, file=name) for name, problems in self.sources for problem in problems]

    def missing_pages(self) -> list[tuple[str, str]]:
        """(file, sentence) for each page that says more follow when no file holds the next one."""
        offsets = {(page.kind, page.offset) for page in self.pages}
        return [
            (
                page.file,
                f"the {page.kind} page at offset {page.offset} says more follow, but no file holds the page at "
                f"offset {page.offset + page.size}: save every page, or what is on the missing ones is left out",
            )
            for page in self.pages
            if page.more and (page.kind, page.offset + page.size) not in offsets
        ]


def read_export(files: Sequence[tuple[str, Any]]) -> Export:
    """Every record in the files (name, parsed JSON), in file order; a record saved twice is kept once, in its
    more detailed form (a schedule with its layers, a user with contact methods)."""
    export = Export()
    for name, data in files:
        problems: list[ExportProblem] = []
        export.sources.append((name, problems))
        for location, response in _responses(data, problems):
            _read_response(export, name, location, response, problems)
    return export


def clean_text(fields: Fields, key: str, *, required: bool = False) -> str | None:
    """Text the catalog will hold: a control character other than a tab or line break is a problem."""
    text = fields.text(key, required=required)
    if text is not None and _CONTROL.search(text):
        fields.problem(key, "holds a control character, which the catalog cannot hold")
        return None
    return text


def reference_ids(fields: Fields, key: str) -> list[tuple[str, str]]:
    """The ids in a list of references (`[{"id": "PT1", "type": "team_reference"}]`), with their locations."""
    found = []
    for item in fields.objects(key) or []:
        ident = item.text("id", required=True)
        if ident:
            found.append((ident, item.at("id")))
    return found


def _responses(data: Any, problems: list[ExportProblem]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict):
                yield child("", index), item
            else:
                problems.append(ExportProblem(child("", index), f"expected a saved response, found {kind_of(item)}"))
    elif isinstance(data, dict):
        yield "", data
    else:
        problems.append(ExportProblem("", f"not a PagerDuty export: expected {SHAPES}, found {kind_of(data)}"))


def _read_response(
    export: Export, name: str, location: str, data: dict[str, Any], problems: list[ExportProblem]
) -> None:
    if isinstance(data.get("error"), dict):
        problems.append(ExportProblem(location, _pagerduty_error(data["error"])))
        return
    if data.get("type") in KINDS.values() and "id" in data:  # one object saved without its wrapper
        _add(export, name, str(data["type"]), Fields(data, location, problems))
        return
    found = False
    for plural, singular in KINDS.items():
        if plural in data:
            found = True
            _read_list(export, name, Fields(data, location, problems), plural)
        elif isinstance(data.get(singular), dict):
            found = True
            _add(export, name, singular, Fields(data[singular], child(location, singular), problems))
    if not found and not _left_behind(export, name, location, data):
        problems.append(ExportProblem(location, f"not a PagerDuty response the import reads: expected {SHAPES}"))


def _read_list(export: Export, name: str, response: Fields, plural: str) -> None:
    items = response.data[plural]
    if not isinstance(items, list):
        response.problem(plural, f"expected a list of {plural.replace('_', ' ')}, found {kind_of(items)}")
        return
    for entry in response.objects(plural) or []:
        _add(export, name, KINDS[plural], entry)
    if response.data.get("more") is not None:
        offset = response.whole("offset", low=0) or 0
        limit = response.whole("limit", low=1)
        more = response.flag("more") is True
        export.pages.append(Page(plural.replace("_", " "), name, offset, limit or len(items), more))


def _add(export: Export, name: str, kind: str, fields: Fields) -> None:
    ident = fields.text("id", required=True)
    if not ident:
        return
    record = Record(kind, ident, fields, name)
    known = export.records[kind].get(ident)
    if known is None or _detail(record) > _detail(known):
        export.records[kind][ident] = record


def _detail(record: Record) -> int:
    """How much of what the import needs a saved copy holds: list responses may leave parts out."""
    data = record.fields.data
    if record.kind == "schedule":
        return int(isinstance(data.get("schedule_layers"), list))
    if record.kind == "escalation_policy":
        return int(isinstance(data.get("escalation_rules"), list))
    if record.kind == "user":
        methods, rules = data.get("contact_methods"), data.get("notification_rules")
        full_methods = isinstance(methods, list) and any(isinstance(m, dict) and "address" in m for m in methods)
        full_rules = isinstance(rules, list) and any(isinstance(r, dict) and "urgency" in r for r in rules)
        return int(full_methods) + int(full_rules)
    return 0


def _left_behind(export: Export, name: str, location: str, data: dict[str, Any]) -> bool:
    for plural in (*_REASONS, *_OTHERS):
        singular = _SINGULAR.get(plural, plural.removesuffix("s"))
        value = data.get(plural, data.get(singular))
        if isinstance(value, list | dict):
            count = len(value) if isinstance(value, list) else 1
            reason = _REASONS.get(
                plural, "not carried over: the import reads users, schedules, escalation policies and teams"
            )
            noun = singular.replace("_", " ")
            export.left_behind.append(LeftBehind(name, location, plural, noun, count, reason))
            return True
    return False


def _pagerduty_error(error: dict[str, Any]) -> str:
    parts = [str(error[key]) for key in ("code", "message") if error.get(key)]
    details = error.get("errors")
    if isinstance(details, list):
        parts += [str(detail) for detail in details if isinstance(detail, str)]
    return f"this is a PagerDuty error response, not an export ({': '.join(parts) or 'no details'}): export again"

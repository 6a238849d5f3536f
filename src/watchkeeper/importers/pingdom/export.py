"""The shapes people save from the Pingdom API 3.1, read into one record per check.

Accepted (see docs/adr/0010): the list response of `GET /api/3.1/checks` (`{"checks": [...]}`, each check's
`type` a name such as "http"), the detailed response of `GET /api/3.1/checks/{id}` (`{"check": {...}}`,
`type` an object such as `{"http": {"url": ..., "port": ...}}`), a list of detailed checks under "checks",
and a bare JSON array of either, including an array of saved `{"check": ...}` responses.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from watchkeeper.catalog.problems import closest
from watchkeeper.importers.fields import Fields, child, kind_of
from watchkeeper.importers.problems import ExportProblem

UPTIME_TYPES = ("http", "httpcustom", "tcp", "ping", "dns", "udp", "smtp", "pop3", "imap")
"""The `type` values of Pingdom's uptime checks."""
TRANSACTION_TYPES = ("transaction", "script", "recording")
"""What transaction (TMS) checks are called in exports: their own endpoint, and no uptime `type`."""
KNOWN_TYPES = UPTIME_TYPES + TRANSACTION_TYPES

SHAPES = '{"checks": [...]} (GET /api/3.1/checks), {"check": {...}} (GET /api/3.1/checks/ID) or a JSON array of checks'


@dataclass(frozen=True)
class PingdomCheck:
    """One check from the export: what every check has, and its type's own fields when the export has them."""

    location: str
    id: int
    name: str
    kind: str
    fields: Fields
    details: Fields | None
    """The object under `type.<kind>` of a detailed check; None in the list response, which has only names."""
    tags: tuple[str, ...]
    paused: bool

    def describe(self) -> str:
        return f'Pingdom check {self.id} "{self.name}" ({self.kind})'


def read_export(data: Any, problems: list[ExportProblem]) -> list[PingdomCheck]:
    """Every check in `data`, in order; problems (with locations) are added to `problems`."""
    checks: list[PingdomCheck] = []
    seen: dict[int, str] = {}
    for location, raw in _entries(data, problems):
        check = _check(location, raw, problems)
        if check is None:
            continue
        if check.id in seen:
            problems.append(ExportProblem(child(location, "id"), f"check {check.id} is also at {seen[check.id]}"))
            continue
        seen[check.id] = location
        checks.append(check)
    return checks


def _entries(data: Any, problems: list[ExportProblem]) -> Iterator[tuple[str, Any]]:
    if isinstance(data, list):
        for index, item in enumerate(data):
            location = child("", index)
            if isinstance(item, dict) and "check" in item and "id" not in item:
                yield child(location, "check"), item["check"]  # a saved detailed response
            else:
                yield location, item
    elif isinstance(data, dict) and isinstance(data.get("error"), dict):
        problems.append(ExportProblem("", _pingdom_error(data["error"])))
    elif isinstance(data, dict) and "checks" in data:
        if not isinstance(data["checks"], list):
            problems.append(ExportProblem("checks", f"expected a list of checks, found {kind_of(data['checks'])}"))
            return
        for index, item in enumerate(data["checks"]):
            yield child("checks", index), item
    elif isinstance(data, dict) and "check" in data:
        yield "check", data["check"]
    elif isinstance(data, dict) and "id" in data and "type" in data:
        yield "", data  # one detailed check, saved without its wrapper
    else:
        problems.append(ExportProblem("", f"not a Pingdom checks export: expected {SHAPES}, found {kind_of(data)}"))


def _pingdom_error(error: dict[str, Any]) -> str:
    parts = [str(error.get(key)) for key in ("statuscode", "statusdesc", "errormessage") if error.get(key)]
    return f"this is a Pingdom error response, not checks ({': '.join(parts) or 'no details'}): export again"


def _check(location: str, raw: Any, problems: list[ExportProblem]) -> PingdomCheck | None:
    if not isinstance(raw, dict):
        problems.append(ExportProblem(location, f"expected a check object, found {kind_of(raw)}"))
        return None
    fields = Fields(raw, location, problems)
    before = len(problems)
    ident = fields.whole("id", low=1, required=True)
    name = fields.text("name", required=True)
    kind, details = _type(fields)
    tags = _tags(fields)
    paused = fields.flag("paused") is True or fields.text("status") == "paused"
    if len(problems) > before or ident is None or name is None or kind is None:
        return None
    return PingdomCheck(location, ident, name, kind, fields, details, tags, paused)


def _type(fields: Fields) -> tuple[str | None, Fields | None]:
    """The check's kind, and for a detailed check the object holding that kind's own fields."""
    value = fields.data.get("type")
    if value is None:
        fields.problem(None, "'type' is missing")
        return None, None
    if isinstance(value, str):
        return _known(fields, "type", value), None
    if not isinstance(value, dict):
        fields.problem("type", f"expected a type name or object, found {kind_of(value)}")
        return None, None
    kinds = [key for key in value if key != "name"]  # some clients add the name beside the object
    if len(kinds) != 1:
        found = ", ".join(kinds) or "nothing"
        fields.problem("type", f'expected one check type such as {{"http": {{...}}}}, found {found}')
        return None, None
    type_fields = fields.nested("type")
    kind = _known(type_fields, kinds[0], kinds[0]) if type_fields else None
    if kind is None or type_fields is None:
        return None, None
    if value[kinds[0]] is None:
        return kind, Fields({}, type_fields.at(kinds[0]), fields.problems)
    return kind, type_fields.nested(kinds[0])


def _known(fields: Fields, key: str, name: str) -> str | None:
    kind = name.strip().lower()
    if kind in KNOWN_TYPES:
        return kind
    hint = closest(kind, KNOWN_TYPES)
    fields.problem(key, f"unknown Pingdom check type '{name}'" + (f" ({hint})" if hint else f" ({_known_list()})"))
    return None


def _known_list() -> str:
    return "Pingdom's types are " + ", ".join(KNOWN_TYPES)


def _tags(fields: Fields) -> tuple[str, ...]:
    """Tag names, from the API's `[{"name": ..., "type": ..., "count": ...}]`, a list of names, or "a,b"."""
    value = fields.data.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(tag.strip() for tag in value.split(",") if tag.strip())
    if not isinstance(value, list):
        fields.problem("tags", f"expected a list of tags, found {kind_of(value)}")
        return ()
    names: list[str] = []
    for index, tag in enumerate(value):
        if isinstance(tag, str):
            names.append(tag)
        elif isinstance(tag, dict) and isinstance(tag.get("name"), str):
            names.append(tag["name"])
        else:
            location = child(fields.at("tags"), index)
            fields.problems.append(ExportProblem(location, 'expected a tag name or {"name": ...}'))
    return tuple(name.strip() for name in names if name.strip())

"""Reading an inbound JSON document safely, and its fields with the path of each problem.

Whatever a sender posts becomes either plain JSON values that every backend can store and every receiver can read
(no NaN, no number beyond a double such as `1e400`, no NUL, no lone surrogate, at most `MAX_DEPTH` levels deep) or
a `BadPayload` saying what is wrong and where (`alerts[2].labels.alertname: must be text`).
"""

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from watchkeeper.domain.alerts import Link
from watchkeeper.integrations import BadPayload

MAX_DEPTH = 64
"""Levels of nesting a document may have; real payloads have fewer than ten."""
MAX_PROBLEMS = 20
"""Problems listed in one answer; a payload wrong everywhere needs no more to be fixed."""
URL_LIMIT = 2048
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL, which PostgreSQL refuses in text, and lone surrogates, which are not UTF-8."""


def load_json(body: bytes) -> Any:
    """The document in `body`, cleaned; BadPayload when it is empty, not UTF-8, not JSON, nested too deeply or
    holds a number too large for a double."""
    if not body.strip():
        raise BadPayload("the body is empty: send a JSON document")
    try:
        document = json.loads(body, parse_constant=_refuse_constant, parse_float=_number)
    except RecursionError:
        raise BadPayload(f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)") from None
    except UnicodeDecodeError:
        raise BadPayload("the body is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise BadPayload(f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except ValueError as error:  # NaN or Infinity, refused below
        raise BadPayload(f"the body is not JSON: {error}") from None
    if _depth(document) > MAX_DEPTH:
        raise BadPayload(f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)")
    _refuse_huge(document)
    return clean(document)


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


class _Huge(str):
    """A number as written that a double cannot hold (`1e400`): Python reads it as infinity, which PostgreSQL's
    jsonb refuses and which, sent on, would be `Infinity`, not JSON. Kept as its text to be refused by path."""


def _number(text: str) -> float | _Huge:
    value = float(text)
    return value if math.isfinite(value) else _Huge(text)


def _refuse_huge(document: Any) -> None:
    """BadPayload naming where each number too large for a double is (depth-first, without recursion)."""
    problems: list[str] = []
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path = stack.pop()
        if isinstance(value, _Huge):
            problems.append(f"{path or 'the body'}: {value} is too large a number (a double holds up to about 1.8e308)")
        elif isinstance(value, dict):
            stack.extend((item, at(path, key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, at(path, index)) for index, item in reversed(list(enumerate(value))))
    if problems:
        raise BadPayload("the body holds a number too large to store", tuple(problems))


def _depth(document: Any) -> int:
    """How deeply `document` nests, found without recursion (the decoder's own limit is far deeper)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(value, dict):
            stack.extend((item, level + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, level + 1) for item in value)
    return deepest


def clean(value: Any) -> Any:
    """`value` with every NUL and lone surrogate in its text (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {clean(key): clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item) for item in value]
    return value


def at(path: str, key: str | int) -> str:
    """The path of `key` inside `path`: `alerts[2]`, `alerts[2].labels`, `labels["odd key"]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not _IDENTIFIER.match(key):
        return f"{path}[{json.dumps(key)}]"
    return f"{path}.{key}" if path else key


def type_name(value: Any) -> str:
    """What a JSON value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    return "an object"


@dataclass
class Reader:
    """Reads fields, noting each problem with its path rather than stopping at the first, so one answer lists
    every problem of a payload."""

    quote_paths: bool = False
    """`'payload.summary' is missing`, as PagerDuty words it, rather than `payload.summary: is missing`."""
    problems: list[str] = field(default_factory=list)

    def note(self, path: str, message: str) -> None:
        if not path:
            self.problems.append(message)
        elif self.quote_paths:
            self.problems.append(f"'{path}' {message}")
        else:
            self.problems.append(f"{path}: {message}")

    def check(self, reason: str) -> None:
        """Raises BadPayload with every problem noted so far, if there is any."""
        if self.problems:
            listed = tuple(self.problems[:MAX_PROBLEMS])
            more = len(self.problems) - len(listed)
            raise BadPayload(reason, listed + ((f"and {more} more",) if more else ()))

    def object(self, value: Any, path: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.note(path, f"must be an object, not {type_name(value)}")
        return {}

    def optional_object(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = parent.get(key)
        return {} if value is None else self.object(value, at(path, key))

    def text(
        self, parent: dict[str, Any], key: str, path: str, *, required: bool = False, limit: int | None = None
    ) -> str | None:
        """A text field; None when it is absent or null (noted when required). Blank required text is noted."""
        where, value = at(path, key), parent.get(key)
        if value is None:
            if required:
                self.note(where, "is missing")
            return None
        if not isinstance(value, str):
            self.note(where, f"must be text, not {type_name(value)}")
            return None
        if required and not value.strip():
            self.note(where, "is blank")
            return None
        if limit is not None and len(value) > limit:
            self.note(where, f"is {len(value)} characters long; at most {limit} are allowed")
            return None
        return value

    def array(self, parent: dict[str, Any], key: str, path: str, *, required: bool = False) -> list[Any]:
        where, value = at(path, key), parent.get(key)
        if value is None:
            if required:
                self.note(where, "is missing")
            return []
        if not isinstance(value, list):
            self.note(where, f"must be an array, not {type_name(value)}")
            return []
        return value

    def text_map(self, parent: dict[str, Any], key: str, path: str) -> dict[str, str]:
        """An object whose values are all text (labels, annotations); absent or null is empty."""
        where = at(path, key)
        found: dict[str, str] = {}
        for name, value in self.optional_object(parent, key, path).items():
            if isinstance(value, str):
                found[name] = value
            else:
                self.note(at(where, name), f"must be text, not {type_name(value)}")
        return found

    def one_of(
        self, parent: dict[str, Any], key: str, path: str, choices: tuple[str, ...], *, required: bool = False
    ) -> str | None:
        value = self.text(parent, key, path, required=required)
        if value is not None and value not in choices:
            self.note(at(path, key), f"is {value!r}; it must be one of {', '.join(choices)}")
            return None
        return value


def web_link(href: str | None, text: str) -> Link | None:
    """A link people may follow from a page: http or https only (never `javascript:`), of a sane length."""
    if not href or len(href) > URL_LIMIT or not href.lower().startswith(("http://", "https://")):
        return None
    return Link(href, text)


def links(*candidates: Link | None) -> tuple[Link, ...]:
    """The links given, without gaps or repeats."""
    seen: dict[str, Link] = {}
    for link in candidates:
        if link is not None and link.href not in seen:
            seen[link.href] = link
    return tuple(seen.values())

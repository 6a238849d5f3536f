"""Silences: label matchers with a start and an end, as in Prometheus Alertmanager (ADR 0030).

A matcher is `name=value`, `name!=value`, `name=~regex` or `name!~regex`. A label the alert lacks matches as the
empty string, so `team!=pay` holds for an alert with no team. Regexes are RE2 (Alertmanager's syntax), anchored
at both ends, and compiled with a memory bound: RE2 matches in time linear in the value, so no pattern a person
writes can stall the pipeline that checks every alert against every silence. A silence must have at least one
matcher that the empty string does not satisfy, or it would silence every alert.

Pure: instants come in as arguments.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import re2

Operator = Literal["=", "!=", "=~", "!~"]
OPERATORS: tuple[Operator, ...] = ("=", "!=", "=~", "!~")
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_VALUE = 1024
"""Characters in a matcher's value or regex."""
MAX_MATCHERS = 32
_MAX_REGEX_MEMORY = 1 << 20
"""Bytes RE2 may use for one compiled pattern; a pattern that needs more is refused when it is written."""
_TEXT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Matcher:
    name: str
    op: Operator
    value: str
    _pattern: Any = field(default=None, compare=False, repr=False)

    def matches(self, labels: Mapping[str, str]) -> bool:
        given = labels.get(self.name, "")
        if self.op == "=":
            return given == self.value
        if self.op == "!=":
            return given != self.value
        found = self._pattern.fullmatch(given) is not None
        return found if self.op == "=~" else not found

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.value}"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "op": self.op, "value": self.value}


@dataclass(frozen=True, slots=True)
class Silence:
    id: int
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    """The planned end, or when it was expired early, whichever is sooner."""
    author: str = ""
    comment: str = ""

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def state(self, at: datetime) -> Literal["pending", "active", "expired"]:
        if at < self.starts_at:
            return "pending"
        return "active" if at < self.ends_at else "expired"


def matcher(name: str, op: str, value: str) -> Matcher:
    """A checked matcher; a ValueError saying what is wrong otherwise."""
    if not LABEL_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a label name: letters, digits and '_', not starting with a digit")
    if op not in OPERATORS:
        raise ValueError(f"{op!r} is not an operator: use =, !=, =~ or !~")
    if len(value) > MAX_VALUE:
        raise ValueError(f"the value of {name} is longer than {MAX_VALUE} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):  # no label holds them; PostgreSQL refuses NUL
        raise ValueError(f"the value of {name} has a control character (such as NUL or a tab), which no label has")
    pattern = _compile(name, value) if op in ("=~", "!~") else None
    return Matcher(name, op, value, pattern)


def parse_matcher(text: str) -> Matcher:
    """`service=pay-api`, `severity!=info`, `team=~pay|notify`, `check!~.*-certificate` (quotes optional)."""
    found = _TEXT.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a matcher: write NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX")
    name, op, value = found.groups()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return matcher(name, op, value)


def check_matchers(matchers: Iterable[Matcher]) -> tuple[Matcher, ...]:
    """The matchers of one silence, refused when there are none, too many, or when together they would
    match every alert."""
    found = tuple(matchers)
    if not found:
        raise ValueError("a silence needs at least one matcher, such as service=pay-api")
    if len(found) > MAX_MATCHERS:
        raise ValueError(f"a silence has at most {MAX_MATCHERS} matchers")
    if all(m.matches({}) for m in found):
        raise ValueError(
            "every matcher here also matches an alert without that label, so the silence would match every "
            "alert: add one that needs a value, such as service=pay-api"
        )
    return found


def matches(silence: Silence, labels: Mapping[str, str], at: datetime) -> bool:
    """Whether `silence` is on at `at` and every one of its matchers holds for `labels`."""
    return silence.is_active(at) and all(m.matches(labels) for m in silence.matchers)


def _compile(name: str, value: str) -> Any:
    options = re2.Options()
    options.max_mem = _MAX_REGEX_MEMORY
    options.log_errors = False
    try:
        return re2.compile(value, options)
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise ValueError(f"the regex of {name} does not compile: {reason}") from None

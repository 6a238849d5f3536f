"""Reading values out of parsed JSON while knowing where each one is, so a wrong value is reported by location.

Exports are lenient in ways their own API documents are not: a boolean may arrive as "false", a port as
"443", an absent value as null. Those readings are accepted; a value of the wrong kind altogether (an object
where text belongs) is a problem, recorded with its location rather than raised, so that every problem in a
file is reported at once.
"""

import re
from collections.abc import Mapping
from typing import Any

from watchkeeper.importers.problems import ExportProblem

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child(location: str, key: str | int) -> str:
    """The location of `key` inside `location`: `checks[3]`, `check.type`, `requestheaders["X-Api-Key"]`."""
    if isinstance(key, int):
        return f"{location}[{key}]"
    if _PLAIN_KEY.fullmatch(key):
        return f"{location}.{key}" if location else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{location}["{quoted}"]'


def kind_of(value: Any) -> str:
    """How a JSON value is described in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


class Fields:
    """One JSON object with its location; readers record problems in the shared list and return None."""

    def __init__(self, data: Mapping[str, Any], location: str, problems: list[ExportProblem]) -> None:
        self.data = data
        self.location = location
        self.problems = problems

    def at(self, key: str | int) -> str:
        return child(self.location, key)

    def problem(self, key: str | int | None, message: str) -> None:
        self.problems.append(ExportProblem(self.location if key is None else self.at(key), message))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._present(key, required)
        if value is None or isinstance(value, str):
            return value
        self.problem(key, f"expected text, found {kind_of(value)}")
        return None

    def whole(self, key: str, *, low: int | None = None, high: int | None = None, required: bool = False) -> int | None:
        """A whole number, also when written as digits in text ("443")."""
        value = self._present(key, required)
        if value is None:
            return None
        number = _whole(value)
        if number is None:
            self.problem(key, f"expected a whole number, found {kind_of(value)} {_short(value)}")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"from {low} to {high}" if low is not None and high is not None else f"at least {low}"
            self.problem(key, f"{number} is out of range: expected {bounds}")
            return None
        return number

    def flag(self, key: str) -> bool | None:
        """true or false, also when written as text ("false"), as some exports do."""
        value = self._present(key, False)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.problem(key, f"expected true or false, found {kind_of(value)} {_short(value)}")
        return None

    def nested(self, key: str, *, required: bool = False) -> "Fields | None":
        value = self._present(key, required)
        if value is None:
            return None
        if isinstance(value, dict):
            return Fields(value, self.at(key), self.problems)
        self.problem(key, f"expected an object, found {kind_of(value)}")
        return None

    def objects(self, key: str, *, required: bool = False) -> "list[Fields] | None":
        """A list of objects, each with its location; an entry of another kind is a problem and left out."""
        value = self._present(key, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(key, f"expected a list, found {kind_of(value)}")
            return None
        found = []
        for index, item in enumerate(value):
            where = child(self.at(key), index)
            if isinstance(item, dict):
                found.append(Fields(item, where, self.problems))
            else:
                self.problems.append(ExportProblem(where, f"expected an object, found {kind_of(item)}"))
        return found

    def _present(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            self.problem(None, f"'{key}' is missing")
        return value


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        return int(value)
    return None


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

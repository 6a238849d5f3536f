"""A catalog fragment as YAML text, with comments saying where each entry came from.

PyYAML writes no comments, so each service and each check is dumped on its own and the pieces are indented
into place; what PyYAML quotes is quoted for the catalog's narrower reader too, since that reader knows
fewer implicit types (no `yes` booleans, no base-60 numbers), never more. Pure: returns text.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Entry:
    """One check (or other list item): its comment lines and its fields."""

    spec: dict[str, Any]
    comment: Sequence[str] = ()


@dataclass(frozen=True)
class ServiceEntry:
    spec: dict[str, Any]
    """The service's fields but its checks, which are written after them."""
    checks: Sequence[Entry] = ()
    comment: Sequence[str] = ()


@dataclass(frozen=True)
class Fragment:
    services: Sequence[ServiceEntry] = ()
    header: Sequence[str] = field(default_factory=list)


def one_line(text: str) -> str:
    """Text safe for a comment or a terminal: no line breaks, no control characters."""
    return _UNPRINTABLE.sub(" ", text).strip()


def render(fragment: Fragment) -> str:
    lines = _comments(fragment.header, 0)
    if not fragment.services:
        return "\n".join([*lines, "services: []", ""])
    lines.append("services:")
    for service in fragment.services:
        lines.extend(_comments(service.comment, 2))
        lines.extend(_item(service.spec, 2))
        if service.checks:
            lines.append("    checks:")
            for check in service.checks:
                lines.extend(_comments(check.comment, 6))
                lines.extend(_item(check.spec, 6))
    return "\n".join([*lines, ""])


def _comments(texts: Sequence[str], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}# {' ' * (len(text) - len(text.lstrip(' ')))}{one_line(text)}".rstrip() for text in texts]


def _item(spec: dict[str, Any], indent: int) -> list[str]:
    """`spec` as a block-style list item (`- key: value`) at `indent` spaces."""
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
    first, *rest = text.splitlines()
    pad = " " * indent
    return [f"{pad}- {first}", *(f"{pad}  {line}" if line else "" for line in rest)]

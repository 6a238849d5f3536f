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


@dataclass(frozen=True)
class TeamEntry:
    """One team: its own fields, then its lists (people, schedules, ...) of commented entries."""

    spec: dict[str, Any]
    sections: Sequence[tuple[str, Sequence[Entry]]] = ()
    comment: Sequence[str] = ()


def literal(text: str) -> str:
    """`text` as a catalog string that means exactly itself: `${` is written `$${`, so that nothing copied from
    another tool's export is ever read as a secret reference."""
    return text.replace("${", "$${")


def one_line(text: str) -> str:
    """Text safe for a comment or a terminal: no line breaks, no control characters."""
    return _UNPRINTABLE.sub(" ", text).strip()


def render(fragment: Fragment) -> str:
    lines = comment_lines(fragment.header, 0)
    if not fragment.services:
        return "\n".join([*lines, "services: []", ""])
    lines.append("services:")
    for service in fragment.services:
        lines.extend(comment_lines(service.comment, 2))
        lines.extend(item_lines(service.spec, 2))
        if service.checks:
            lines.append("    checks:")
            for check in service.checks:
                lines.extend(comment_lines(check.comment, 6))
                lines.extend(item_lines(check.spec, 6))
    return "\n".join([*lines, ""])


def render_teams(teams: Sequence[TeamEntry], header: Sequence[str]) -> str:
    """A catalog file of teams; short lists and mappings of plain values are written on one line."""
    lines = comment_lines(header, 0)
    if not teams:
        return "\n".join([*lines, "teams: []", ""])
    lines.append("teams:")
    for number, team in enumerate(teams):
        lines.extend([""] if number else [])
        lines.extend(comment_lines(team.comment, 2))
        lines.extend(item_lines(team.spec, 2))
        for name, entries in team.sections:
            if entries:
                lines.append(f"    {name}:")
                for entry in entries:
                    lines.extend(comment_lines(entry.comment, 6))
                    lines.extend(item_lines(entry.spec, 6, flow_leaves=True))
    return "\n".join([*lines, ""])


def comment_lines(texts: Sequence[str], indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}# {' ' * (len(text) - len(text.lstrip(' ')))}{one_line(text)}".rstrip() for text in texts]


def item_lines(spec: dict[str, Any], indent: int, *, flow_leaves: bool = False) -> list[str]:
    """`spec` as a block-style list item (`- key: value`) at `indent` spaces; with `flow_leaves`, lists and
    mappings of plain values are written on one line (`days: [mon, tue]`), as people write them."""
    if flow_leaves:  # field by field: PyYAML would write an item of plain values on one line too
        text = "".join(
            _dump({key: value}, None if isinstance(value, list | dict) else False) for key, value in spec.items()
        )
    else:
        text = _dump(spec, False)
    first, *rest = text.splitlines()
    pad = " " * indent
    return [f"{pad}- {first}", *(f"{pad}  {line}" if line else "" for line in rest)]


def _dump(data: dict[str, Any], flow: bool | None) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=4096)

"""Turn pydantic's validation errors into problems a person can act on: the line, the field, and a hint."""

import re
import types
import typing
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from watchkeeper.catalog.problems import Problem, closest
from watchkeeper.catalog.yamlsource import Document, Path_

_KIND_OF_LIST = {"checks": "check", "channels": "channel"}
_TYPE_HINTS = {
    "bool_type": "write true or false",
    "int_type": "write a whole number, without quotes",
    "float_type": "write a number, without quotes",
    "string_type": "put it in quotes if it is text",
    "list_type": "write a list, such as [a, b]",
    "dict_type": "write a mapping of fields",
    "model_type": "write a mapping of fields",
}
_MISMATCH = frozenset(_TYPE_HINTS) | {"model_attributes_type", "is_instance_of", "timedelta_type", "time_type"}
"""Error types that only say "this is not of that type": noise beside a specific error at the same place,
which is what a union whose other member fits the input better reports."""


def problems_from(
    error: ValidationError, model: type[BaseModel], doc: Document, prefix: Path_, raw: Any, noun: str
) -> list[Problem]:
    """One problem per field that failed, merging what a union reports for each of its members."""
    by_path: dict[Path_, list[tuple[str, str, str | None]]] = {}
    for detail in error.errors(include_url=False):
        path = _data_path(raw, detail["loc"])
        if prefix + path in doc.unreadable:
            continue  # its value could not be read, which is already reported
        by_path.setdefault(path, []).append((detail["type"], *_describe(detail, model, raw, path)))
    _drop_missing_fields_named_by_a_typo(by_path)
    problems = []
    for path, described in by_path.items():
        specific = [d for d in described if d[0] not in _MISMATCH] or described
        messages = list(dict.fromkeys(m for _, m, _ in specific))
        hint = next((h for _, _, h in specific if h), None)
        item_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"{noun} {short(item_id)}" if isinstance(item_id, str) else noun
        field = _readable(raw, path)
        text = " or ".join(messages) if len(messages) < 3 else "; ".join(messages)
        message = f"{where}, {field}: {text}" if field else f"{where}: {text}"
        problems.append(Problem(doc.file, doc.line_of(prefix + path), message, hint))
    return problems


def _drop_missing_fields_named_by_a_typo(by_path: dict[Path_, list[tuple[str, str, str | None]]]) -> None:
    """`webhook:` for `webhook_url:` is one mistake: say "unknown field 'webhook' (did you mean ...)" only."""
    for path, described in list(by_path.items()):
        for kind, _, hint in described:
            if kind != "extra_forbidden" or not hint:
                continue
            meant = hint.removeprefix("did you mean '").removesuffix("'?")
            parent = path[:-1]
            by_path[parent] = [d for d in by_path.get(parent, []) if d[1] != f"missing required field '{meant}'"]
            if not by_path[parent]:
                del by_path[parent]


def _data_path(raw: Any, loc: tuple[str | int, ...]) -> Path_:
    """The part of pydantic's location that names places in the data (it adds union members and tags)."""
    path: list[str | int] = []
    current = raw
    for part in loc:
        if isinstance(current, dict) and part in ("from_", "json_"):  # fields whose YAML name is an alias
            part = str(part).rstrip("_")
        if _contains(current, part):
            current = current[part]
            path.append(part)
    return tuple(path)


def _contains(data: Any, part: str | int) -> bool:
    if isinstance(data, dict):
        return isinstance(part, str) and part in data
    return isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)


def _readable(raw: Any, path: Path_) -> str:
    """`checks.pay-api-health.expect.status`: list items are named by their id where they have one."""
    text = ""
    current = raw
    for part in path:
        current = current[part]
        if isinstance(part, int):
            item_id = current.get("id") if isinstance(current, dict) else None
            text += f"[{item_id}]" if isinstance(item_id, str) and item_id.isprintable() else f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _describe(detail: ErrorDetails, model: type[BaseModel], raw: Any, path: Path_) -> tuple[str, str | None]:
    kind = detail["type"]
    ctx = detail.get("ctx", {})
    value = detail.get("input")
    last = next((p for p in reversed(detail["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return f"missing required field '{last}'", None
    if kind == "extra_forbidden":
        allowed = _fields_at(model, raw, path[:-1])
        return f"unknown field '{last}'", closest(str(last), allowed)
    if kind == "union_tag_invalid":
        noun = _KIND_OF_LIST.get(next((p for p in reversed(path) if isinstance(p, str)), ""), "")
        tags = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        tag_hint = closest(str(ctx.get("tag")), tags) or f"known types: {', '.join(tags)}"
        return f"unknown {noun} type '{ctx.get('tag')}'".replace("  ", " "), tag_hint
    if kind == "union_tag_not_found":
        return "missing required field 'type'", None
    if kind == "literal_error":
        expected = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        hint = closest(str(value), expected) if isinstance(value, str) else None
        return f"{short(value)} is not one of: {', '.join(expected)}", hint
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"])), None
    if kind == "string_pattern_mismatch":
        return _pattern_message(value, str(ctx.get("pattern", ""))), None
    return f"{detail['msg'][0].lower()}{detail['msg'][1:]} (got {short(value)})", _TYPE_HINTS.get(kind)


def _pattern_message(value: Any, pattern: str) -> str:
    if pattern.startswith("^[a-z0-9]"):
        return f"{short(value)} is not a valid id: use lower-case letters, digits, '-' and '_' (at most 63)"
    if pattern.startswith("^\\+"):
        return f"{short(value)} is not a phone number in international form, such as +447700900101"
    if pattern.startswith("^\\$"):
        return f"{short(value)} is not a JSONPath: start it with $, such as $.database.healthy"
    return f"{short(value)} does not have the expected form ({pattern})"


def short(value: Any, limit: int = 80) -> str:
    """A value as it appears in a message: quoted, on one line, and cut short if long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fields_at(model: type[BaseModel], raw: Any, path: Path_) -> set[str]:
    """The field names allowed at `path`, following models, lists, dicts, unions and type tags."""
    candidates: list[Any] = [model]
    current = raw
    for part in path:
        current = current[part] if _contains(current, part) else None
        next_candidates: list[Any] = []
        for leaf in (leaf for c in candidates for leaf in _leaves(c)):
            next_candidates.extend(_step(leaf, part))
        candidates = next_candidates
        tag = current.get("type") if isinstance(current, dict) else None
        if tag is not None:
            tagged = [c for c in _all_leaves(candidates) if _tag_of(c) == tag]
            candidates = tagged or candidates
    names: set[str] = set()
    for leaf in _all_leaves(candidates):
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            names.update(f.alias or n for n, f in leaf.model_fields.items())
    return names


def _step(leaf: Any, part: str | int) -> list[Any]:
    if isinstance(part, int):
        return list(get_args(leaf)[:1]) if get_origin(leaf) is list else []
    if isinstance(leaf, type) and issubclass(leaf, BaseModel):
        for name, field in leaf.model_fields.items():
            if part in (name, field.alias):
                return [field.annotation]
        return []
    return list(get_args(leaf)[1:2]) if get_origin(leaf) is dict else []


def _leaves(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _leaves(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [leaf for arg in get_args(annotation) for leaf in _leaves(arg)]
    return [annotation]


def _all_leaves(candidates: list[Any]) -> list[Any]:
    return [leaf for c in candidates for leaf in _leaves(c)]


def _tag_of(leaf: Any) -> Any:
    if isinstance(leaf, type) and issubclass(leaf, BaseModel) and "type" in leaf.model_fields:
        return leaf.model_fields["type"].default
    return None

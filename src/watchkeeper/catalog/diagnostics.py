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


def problems_from(
    error: ValidationError, model: type[BaseModel], doc: Document, prefix: Path_, raw: Any, noun: str
) -> list[Problem]:
    """One problem per field that failed, merging what a union reports for each of its members."""
    by_path: dict[Path_, list[tuple[str, str | None]]] = {}
    for detail in error.errors(include_url=False):
        path = _data_path(raw, detail["loc"])
        by_path.setdefault(path, []).append(_describe(detail, model, raw, path))
    problems = []
    for path, described in by_path.items():
        messages = list(dict.fromkeys(m for m, _ in described))
        hint = next((h for _, h in described if h), None)
        item_id = raw.get("id") if isinstance(raw, dict) else None
        where = f"{noun} '{item_id}'" if isinstance(item_id, str) else noun
        field = _readable(raw, path)
        text = " or ".join(messages) if len(messages) < 3 else "; ".join(messages)
        message = f"{where}, {field}: {text}" if field else f"{where}: {text}"
        problems.append(Problem(doc.file, doc.line_of(prefix + path), message, hint))
    return problems


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
            text += f"[{item_id}]" if isinstance(item_id, str) else f"[{part}]"
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
        return f"{value!r} is not one of: {', '.join(expected)}", hint
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"])), None
    if kind == "string_pattern_mismatch":
        return _pattern_message(value, str(ctx.get("pattern", ""))), None
    return f"{detail['msg'][0].lower()}{detail['msg'][1:]} (got {value!r})", None


def _pattern_message(value: Any, pattern: str) -> str:
    if pattern.startswith("^[a-z0-9]"):
        return f"{value!r} is not a valid id: use lower-case letters, digits, '-' and '_' (at most 63)"
    if pattern.startswith("^\\+"):
        return f"{value!r} is not a phone number in international form, such as +447700900101"
    return f"{value!r} does not have the expected form ({pattern})"


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

"""Load a catalog file or directory: read, validate, check secrets, resolve references; all problems at once."""

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from watchkeeper.catalog.diagnostics import problems_from
from watchkeeper.catalog.model import SECTIONS, Catalog
from watchkeeper.catalog.organisation import DataSource, Organisation
from watchkeeper.catalog.problems import CatalogInvalid, Problem, closest
from watchkeeper.catalog.references import Located, resolve
from watchkeeper.catalog.secrets import SecretMissing, find_references, is_valid_name, read_secret
from watchkeeper.catalog.services import Platform, Service
from watchkeeper.catalog.status_pages import StatusPage
from watchkeeper.catalog.teams import Team
from watchkeeper.catalog.types import is_valid_id
from watchkeeper.catalog.yamlsource import Document, YamlProblems, read_document

_MODELS: dict[str, type[BaseModel]] = {
    "data_sources": DataSource,
    "platforms": Platform,
    "teams": Team,
    "services": Service,
    "status_pages": StatusPage,
}


@dataclass
class _Collected:
    problems: list[Problem] = field(default_factory=list)
    items: dict[str, list[Located[Any]]] = field(default_factory=lambda: {k: [] for k in _MODELS})
    broken: list[tuple[str, str, Document, tuple[str | int, ...]]] = field(default_factory=list)
    organisation: Located[Organisation] | None = None
    secrets: dict[str, tuple[str, int]] = field(default_factory=dict)


def catalog_files(path: Path) -> list[tuple[Path, str]]:
    """The YAML files of a catalog, in a stable order, each with the name used in messages."""
    if path.is_file():
        return [(path, str(path))]
    if not path.is_dir():
        raise CatalogInvalid([Problem(str(path), 0, "no such file or directory")])
    files = sorted(
        p
        for p in path.rglob("*")
        if p.suffix.lower() in (".yaml", ".yml")
        and not p.is_dir()
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not files:
        raise CatalogInvalid([Problem(str(path), 0, "no .yaml or .yml files in this directory")])
    return [(file, str(path / file.relative_to(path))) for file in files]  # a broken link is reported when read


def load_catalog(path: str | Path, *, environ: Mapping[str, str] | None = None, check_secrets: bool = True) -> Catalog:
    """The catalog at `path` (a file or a directory of files whose lists merge), or CatalogInvalid."""
    env = os.environ if environ is None else environ
    collected = _Collected()
    unreadable = False
    for file, display in catalog_files(Path(path)):
        try:
            document = read_document(file, display)
        except YamlProblems as error:
            collected.problems.extend(error.problems)
            unreadable = True
            continue
        collected.problems.extend(document.problems)
        collected.problems.extend(_control_characters(document))
        _collect(document, collected)
    _check_secrets(collected, env, check_secrets)
    items = collected.items
    if not unreadable:  # with a file unread, every reference into it would be reported as unknown
        collected.problems.extend(
            resolve(
                items["teams"],
                items["platforms"],
                items["services"],
                items["data_sources"],
                items["status_pages"],
                collected.broken,
            )
        )
    if collected.problems:
        raise CatalogInvalid(collected.problems)
    return Catalog(
        organisation=collected.organisation.value if collected.organisation else Organisation(),
        secrets=sorted(collected.secrets),
        **{section: [located.value for located in located_items] for section, located_items in items.items()},
    )


def _collect(doc: Document, collected: _Collected) -> None:
    if doc.data is None:
        return
    if not isinstance(doc.data, dict):
        collected.problems.append(
            Problem(doc.file, 1, "a catalog file is a mapping with keys such as teams:, services:, platforms:")
        )
        return
    for key, value in doc.data.items():
        if key not in SECTIONS:
            hint = closest(key, SECTIONS) or f"a catalog file has: {', '.join(SECTIONS)}"
            collected.problems.append(Problem(doc.file, doc.line_of((key,)), f"unknown section '{key}'", hint))
        elif key == "organisation":
            _collect_organisation(doc, value, collected)
        elif not isinstance(value, list):
            collected.problems.append(Problem(doc.file, doc.line_of((key,)), f"'{key}' must be a list of items"))
        else:
            for index, raw in enumerate(value):
                _collect_item(doc, key, index, raw, collected)


def _collect_organisation(doc: Document, raw: Any, collected: _Collected) -> None:
    if collected.organisation is not None:
        first = collected.organisation
        collected.problems.append(
            Problem(
                doc.file,
                doc.line_of(("organisation",)),
                "the organisation is defined twice",
                f"also defined at {first.doc.file}:{first.line()}",
            )
        )
        return
    validated = _validate(Organisation, doc, ("organisation",), raw, collected)
    if validated is not None:
        collected.organisation = Located(validated, doc, ("organisation",))


def _collect_item(doc: Document, section: str, index: int, raw: Any, collected: _Collected) -> None:
    path = (section, index)
    validated = _validate(_MODELS[section], doc, path, raw, collected)
    if validated is not None:
        collected.items[section].append(Located(validated, doc, path))
    elif isinstance(raw, dict) and isinstance(raw.get("id"), str):
        # Remember the id so that references to this item are not reported as unknown as well.
        if is_valid_id(raw["id"]):
            collected.broken.append((SECTIONS[section], raw["id"], doc, path))
        _remember_nested_ids(raw, doc, path, collected.broken)


def _remember_nested_ids(
    raw: dict[str, Any],
    doc: Document,
    path: tuple[str | int, ...],
    broken: list[tuple[str, str, Document, tuple[str | int, ...]]],
) -> None:
    for key, kind in (
        ("people", "person"),
        ("channels", "channel"),
        ("schedules", "schedule"),
        ("escalation_policies", "escalation policy"),
        ("checks", "check"),
    ):
        items = raw.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str) and is_valid_id(item["id"]):
                broken.append((kind, item["id"], doc, (*path, key, index)))


def _validate(model: type[Any], doc: Document, path: tuple[str | int, ...], raw: Any, collected: _Collected) -> Any:
    if not isinstance(raw, dict):
        if path in doc.unreadable:
            return None
        noun = SECTIONS[str(path[0])]
        collected.problems.append(Problem(doc.file, doc.line_of(path), f"each {noun} is a mapping of fields"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        noun = SECTIONS[str(path[0])]
        collected.problems.extend(problems_from(error, model, doc, path, raw, noun))
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(doc: Document) -> list[Problem]:
    """Text may hold tabs and newlines but no other control characters (PostgreSQL refuses NUL outright)."""
    found = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, str) and _CONTROL.search(value):
            found.append(Problem(doc.file, doc.line_of(path), "text holds a control character", "remove it"))
            doc.unreadable.add(path)
    return found


def _check_secrets(collected: _Collected, environ: Mapping[str, str], check_values: bool) -> None:
    """Every `${NAME}` is well formed, and (unless checking without secrets) set in the environment."""
    seen: list[tuple[Document, tuple[str | int, ...], str]] = []
    for section in (*_MODELS, "organisation"):
        for located in _located(collected, section):
            seen.extend((located.doc, located.path + path, name) for path, name in find_references(_raw(located)))
    for doc, path, name in seen:
        line = doc.line_of(path)
        if not is_valid_name(name):
            shown = name if name.startswith("${") else "${" + name + "}"
            hint = "write ${NAME} with NAME in capitals, digits and _; write $${ for a literal ${"
            collected.problems.append(Problem(doc.file, line, f"'{shown}' is not a secret reference", hint))
            continue
        collected.secrets.setdefault(name, (doc.file, line))
        if check_values:
            try:
                read_secret(name, environ)
            except SecretMissing as missing:
                collected.problems.append(
                    Problem(
                        doc.file,
                        line,
                        str(missing),
                        "or check without secrets: watchkeeper validate --no-secrets",
                    )
                )


def _located(collected: _Collected, section: str) -> Sequence[Located[Any]]:
    if section == "organisation":
        return [collected.organisation] if collected.organisation else []
    return collected.items[section]


def _raw(located: Located[Any]) -> Any:
    data: Any = located.doc.data
    for part in located.path:
        data = data[part]
    return data

"""Read catalog YAML into plain data while remembering the line of every mapping key and list item.

PyYAML's node tree carries positions; the constructed dicts do not. We walk the nodes ourselves so that any
path into the data (`("teams", 0, "people", 2, "email")`) can be turned back into a line for an error report.

The resolver is narrowed on purpose: only `true`/`false` are booleans (so `no` stays the string "no"), and
times such as `17:30` stay strings instead of becoming YAML 1.1 base-60 integers.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from watchkeeper.catalog.problems import Problem

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it (ten times faster on a large catalog), else the pure one.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CatalogLoader(_Base):  # type: ignore[valid-type,misc]  # the base is chosen at import time
    pass


_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CatalogLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# Drop base-60 integers and floats ("17:30" -> 1050) by replacing the int and float resolvers with
# sexagesimal-free versions of the same expressions.
for _first in list(_CatalogLoader.yaml_implicit_resolvers):
    _CatalogLoader.yaml_implicit_resolvers[_first] = [
        (tag, regex)
        for tag, regex in _CatalogLoader.yaml_implicit_resolvers[_first]
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_CatalogLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_CatalogLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


@dataclass
class Document:
    """One YAML file: its data, and the line of every path into it."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Problems that do not stop the file being read, such as a duplicate key (the first one is kept)."""

    def line_of(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that exists (a missing field points at its parent)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_document(path: Path, display: str) -> Document:
    """Parse one file; raise YamlProblems for a syntax error. Duplicate keys are kept in `problems`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise YamlProblems([Problem(display, 0, f"cannot read the file: {error}")]) from None
    loader = _CatalogLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or error.context or "invalid YAML"
        raise YamlProblems([Problem(display, line, f"invalid YAML: {reason}")]) from None
    except yaml.YAMLError as error:
        raise YamlProblems([Problem(display, 0, f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    document = Document(display, None)
    if node is not None:
        document.data = _build(node, (), document, document.problems, _CatalogLoader(""))
    return document


def _build(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem], loader: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # applies YAML merge keys (<<: *anchor)
        result: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | bool) or isinstance(key, bool):
                problems.append(Problem(doc.file, key_line, f"mapping keys must be names, not {key!r}"))
                continue
            key = str(key)
            if key in seen:
                problems.append(
                    Problem(doc.file, key_line, f"duplicate key '{key}'", f"first given on line {seen[key]}")
                )
                continue
            seen[key] = key_line
            doc.lines[(*path, key)] = key_line
            result[key] = _build(value_node, (*path, key), doc, problems, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), doc, problems, loader) for index, item in enumerate(node.value)]
    return loader.construct_object(node)

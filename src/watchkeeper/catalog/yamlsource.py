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
    unreadable: set[Path_] = field(default_factory=set)
    """Paths whose value could not be read (already reported), so validation does not report them again."""

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


_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "YAML indents with spaces, not tabs",
    "but found another document": "a catalog file holds one YAML document: remove the second '---'",
}
EXPANSION_FACTOR = 10
"""Aliases may repeat parts of a file, but the data may hold at most this many times the file's own nodes
(plus a margin), so that a few lines of nested aliases cannot expand into gigabytes."""


def read_document(path: Path, display: str) -> Document:
    """Parse one file; raise YamlProblems when it cannot be read at all. Problems that leave the rest of the
    file usable (a duplicate key, a value that cannot be read) are kept in `problems`."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlProblems(
            [Problem(display, 0, f"cannot read the file: it is not UTF-8 text ({error.reason})")]
        ) from None
    except OSError as error:
        raise YamlProblems([Problem(display, 0, f"cannot read the file: {error.strerror or error}")]) from None
    loader = _CatalogLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or error.context or "invalid YAML"
        hint = next((h for text_, h in _SYNTAX_HINTS.items() if text_ in reason), None)
        raise YamlProblems([Problem(display, line, f"invalid YAML: {reason}", hint)]) from None
    except yaml.YAMLError as error:
        raise YamlProblems([Problem(display, 0, f"invalid YAML: {error}")]) from None
    finally:
        loader.dispose()
    document = Document(display, None)
    if node is not None:
        builder = _Builder(document, budget=EXPANSION_FACTOR * _count_nodes(node) + 10_000)
        try:
            document.data = builder.build(node, ())
        except _TooLarge:
            raise YamlProblems(
                [Problem(display, 1, "the file's aliases expand to far more data than it holds", "use fewer aliases")]
            ) from None
    return document


def _count_nodes(root: yaml.Node) -> int:
    """Distinct nodes in the parse graph (an alias is the same node seen again)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


class _TooLarge(Exception):
    pass


_UNREADABLE = object()  # a scalar whose problem is already reported


class _Builder:
    """Plain data from the node graph, recording the line of every path and any problem with its line."""

    def __init__(self, doc: Document, budget: int) -> None:
        self.doc = doc
        self.budget = budget
        self.loader = _CatalogLoader("")
        self.on_path: set[int] = set()  # nodes being built: meeting one again is an alias cycle

    def problem(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.doc.problems.append(Problem(self.doc.file, node.start_mark.line + 1, message, hint))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self.on_path:
            self.problem(node, "an alias refers to the collection that contains it")
            self.doc.unreadable.add(path)
            return None
        self.on_path.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            value = self._scalar(node)
            if value is _UNREADABLE:
                self.doc.unreadable.add(path)
                return None
            return value
        finally:
            self.on_path.discard(id(node))

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as error:
            reason = getattr(error, "problem", None) or str(error)
            self.problem(
                node, f"cannot read the value {_short(node.value)}: {reason}", "put it in quotes if it is text"
            )
            return _UNREADABLE

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        explicit = {id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"}
        try:
            self.loader.flatten_mapping(node)  # applies merge keys (<<: *anchor); merged pairs come first
        except yaml.YAMLError as error:
            self.problem(node, f"cannot merge: {getattr(error, 'problem', None) or error}")
            node.value = [(key, value) for key, value in node.value if id(key) in explicit]
        result: dict[str, Any] = {}
        given: dict[str, int] = {}  # keys written in this mapping itself, with their lines
        for key_node, value_node in node.value:
            key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else key_node
            line = key_node.start_mark.line + 1
            if key is _UNREADABLE:
                continue
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.problem(key_node, f"mapping keys must be names, not {_short(key)}")
                continue
            key = str(key)
            if id(key_node) in explicit:
                if key in given:
                    self.problem(key_node, f"duplicate key '{key}'", f"first given on line {given[key]}")
                    continue
                given[key] = line
            if key in result:  # an explicit key overrides a merged one: forget the merged value's lines
                prefix = (*path, key)
                for stale in [p for p in self.doc.lines if p[: len(prefix)] == prefix]:
                    del self.doc.lines[stale]
            self.doc.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

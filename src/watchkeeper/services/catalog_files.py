"""Which catalog file defines an object, so that a refusal to change it through the API can say what to edit."""

from collections.abc import Iterable
from pathlib import Path

from watchkeeper.catalog.loader import catalog_files
from watchkeeper.catalog.problems import CatalogInvalid
from watchkeeper.catalog.yamlsource import Path_ as YamlPath
from watchkeeper.catalog.yamlsource import YamlProblems, read_document


def defined_in(catalog: Path | None, section: str, object_id: str) -> str | None:
    """`file (line N)` of the item with this id in a list under the key `section` (such as `services`, or the
    `checks` of a service), the file named as it is in the catalog's folder; None when no file at `catalog` has
    it (any more)."""
    if catalog is None:
        return None
    try:
        files = catalog_files(catalog)
    except CatalogInvalid:
        return None
    for file, _display in files:
        try:
            document = read_document(file, str(file))
        except (YamlProblems, OSError):
            continue
        path = _path_of(document.data, (), section, object_id)
        if path is not None:
            name = file.name if catalog.is_file() else str(file.relative_to(catalog))
            return f"{name} (line {document.line_of(path)})"
    return None


def _path_of(node: object, path: YamlPath, section: str, object_id: str) -> YamlPath | None:
    """The path of the item, at any depth: people sit in their team, checks in their service or platform."""
    if isinstance(node, dict):
        items = node.get(section)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get("id") == object_id:
                return (*path, section, index)
        children: Iterable[tuple[str | int, object]] = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return None
    for key, child in children:
        found = _path_of(child, (*path, key), section, object_id)
        if found is not None:
            return found
    return None

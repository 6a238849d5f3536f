"""Which catalog file defines an object, so that a refusal to change it through the API can say what to edit."""

from pathlib import Path

from watchkeeper.catalog.loader import catalog_files
from watchkeeper.catalog.problems import CatalogInvalid
from watchkeeper.catalog.yamlsource import YamlProblems, read_document


def defined_in(catalog: Path | None, section: str, object_id: str) -> str | None:
    """`file (line N)` of the item of top-level `section` (such as `services`) with this id, the file named as
    it is in the catalog's folder; None when no file at `catalog` has it (any more)."""
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
        items = document.data.get(section) if isinstance(document.data, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and item.get("id") == object_id:
                name = file.name if catalog.is_file() else str(file.relative_to(catalog))
                return f"{name} (line {document.line_of((section, index))})"
    return None

"""The catalog: who owns what, and how it is watched, as YAML files reviewed by pull request.

`load_catalog` reads a file or a directory, validates every object, resolves every reference and returns a
typed, frozen `Catalog`, or raises `CatalogInvalid` listing every problem at once with file and line.

The names are imported on first use: the catalog's models are built from the installed check types, whose
own modules import parts of this package.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from watchkeeper.catalog.loader import load_catalog
    from watchkeeper.catalog.model import Catalog
    from watchkeeper.catalog.problems import CatalogInvalid, Problem

__all__ = ["Catalog", "CatalogInvalid", "Problem", "load_catalog"]

_HOMES = {
    "load_catalog": "watchkeeper.catalog.loader",
    "Catalog": "watchkeeper.catalog.model",
    "CatalogInvalid": "watchkeeper.catalog.problems",
    "Problem": "watchkeeper.catalog.problems",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'watchkeeper.catalog' has no attribute {name!r}")

"""The catalog: who owns what, and how it is watched, as YAML files reviewed by pull request.

`load_catalog` reads a file or a directory, validates every object, resolves every reference and returns a
typed, frozen `Catalog`, or raises `CatalogInvalid` listing every problem at once with file and line.
"""

from watchkeeper.catalog.loader import load_catalog
from watchkeeper.catalog.model import Catalog
from watchkeeper.catalog.problems import CatalogInvalid, Problem

__all__ = ["Catalog", "CatalogInvalid", "Problem", "load_catalog"]

"""The fixture that loads what an import wrote beside the minimal catalog, through the real loader."""

from collections.abc import Mapping
from pathlib import Path

import pytest
from pingdom_exports import LoadFragment, load_with_secrets, write_catalog

from watchkeeper.catalog import Catalog
from watchkeeper.importers.pingdom import PingdomImport


@pytest.fixture
def load_fragment(tmp_path: Path) -> LoadFragment:
    """Every secret the import names is set, unless `environ` is given."""

    def load(result: PingdomImport, environ: Mapping[str, str] | None = None) -> Catalog:
        return load_with_secrets(write_catalog(tmp_path / "catalog", result), result, environ)

    return load

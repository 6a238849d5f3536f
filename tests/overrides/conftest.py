"""The overrides tests' catalog applied to a database on both backends (see rota_catalog)."""

from pathlib import Path

import pytest
from rota_catalog import CATALOG, NOW, Rotas

from watchkeeper.services.clock import FixedClock
from watchkeeper.store import Database


@pytest.fixture
def rotas(db: Database, tmp_path: Path) -> Rotas:
    found = Rotas(db, FixedClock(NOW), tmp_path / "catalog.yaml")
    found.apply(CATALOG)
    return found

"""A web app over a real database (both backends) with the example catalog loaded from a private copy."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from signed_in import sign_in
from watchkeeper.services.clock import SystemClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry
from watchkeeper.wiring import CatalogReloader

SECRET_KEY = "web-tests-secret-key-0123456789-abcdefghij"


@dataclass
class Served:
    client: TestClient
    catalog: Path
    db: Database

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.catalog / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new))


@pytest.fixture
def served(
    db: Database,
    tmp_path: Path,
    example_catalog: Path,
    example_secrets: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Served]:
    for name, value in example_secrets.items():
        monkeypatch.setenv(name, value)
    catalog = tmp_path / "catalog"
    shutil.copytree(example_catalog, catalog)
    settings = Settings(database_url=db.url, catalog=catalog, secret_key=SECRET_KEY)
    reloader = CatalogReloader(db, SystemClock(), catalog)
    context = AppContext(settings, db, SystemClock(), build_registry(db), catalog, reloader)
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        sign_in(client, db, SECRET_KEY)
        yield Served(client, catalog, db)


@pytest.fixture
def loaded(served: Served) -> Served:
    response = served.client.post("/api/v1/catalog/reload")
    assert response.status_code == 200, response.text
    return served

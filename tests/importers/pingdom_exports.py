"""Helpers for the import tests: the Pingdom exports written for them from the API 3.1 shapes (docs/adr/0010),
and a minimal catalog to load generated YAML with: a service team `pay`, and a platform team `reliability`
that owns the platform `paas`."""

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from watchkeeper.catalog import Catalog, load_catalog
from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.importers.pingdom import ImportOptions, PingdomImport, import_pingdom

FIXTURES = Path(__file__).resolve().parent / "fixtures"

TEAMS = """\
teams:
  - id: pay
    name: GOV.UK Pay
  - id: reliability
    name: Reliability Engineering
    platform_team: true
platforms:
  - id: paas
    name: GOV.UK PaaS
    owner: reliability
"""

CREDENTIALS = ("pk-live-77f1c2", "tok-9a8b7c6d5e", "Tr0ub4dor", "basic-pa55word", "ak_live_5c1e0d")
"""Every credential the fixture exports hold: none may appear in what the import writes or prints."""


def fixture_export(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def run_import(data: Any, **options: Any) -> PingdomImport:
    return import_pingdom(data, ImportOptions(**{"team": "pay", **options}))


def one_check(**fields: Any) -> dict[str, Any]:
    """A detailed check response with sensible defaults, for tests about one field."""
    check = {"id": 4242, "name": "Probe", "hostname": "app.example.org", "resolution": 5, "status": "up"}
    check.update(fields)
    check.setdefault("type", {"http": {"url": "/", "encryption": True}})
    return {"check": check}


LoadFragment = Callable[..., Catalog]


def write_catalog(root: Path, result: PingdomImport) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "teams.yaml").write_text(TEAMS, encoding="utf-8")
    (root / "pingdom.yaml").write_text(result.yaml, encoding="utf-8")
    return root


def load_with_secrets(root: Path, result: PingdomImport, environ: Mapping[str, str] | None = None) -> Catalog:
    secrets = {secret.name: f"value-of-{secret.name.lower()}" for secret in result.secrets}
    return load_catalog(root, environ=secrets if environ is None else environ)


def checks_of(catalog: Catalog) -> dict[str, CheckConfig]:
    return {check.id: check for _, check in catalog.checks()}

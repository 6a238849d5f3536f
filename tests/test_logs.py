"""Secrets never reach the logs: fields named like secrets are masked, and so are the catalog's secret values
wherever they appear."""

import json
import logging
import shutil

import pytest

from watchkeeper.logs import REDACTED, Redactor, configure_logging, get_logger
from watchkeeper.services.clock import SystemClock
from watchkeeper.wiring import CatalogReloader


def test_fields_named_like_secrets_are_masked():
    redactor = Redactor()

    event = redactor(None, "info", {"event": "x", "api_token": "abc123", "Authorization": "Bearer z", "user": "ben"})

    assert event == {"event": "x", "api_token": REDACTED, "Authorization": REDACTED, "user": "ben"}


def test_registered_values_are_masked_inside_any_text():
    redactor = Redactor()
    redactor.register("s3cr3t-value")

    event = redactor(None, "error", {"event": "failed to post to https://hooks.example/s3cr3t-value/x"})

    assert event["event"] == f"failed to post to https://hooks.example/{REDACTED}/x"


def test_a_reload_teaches_the_redactor_the_catalogs_secret_values(
    sqlite_db, tmp_path, example_catalog, example_secrets, monkeypatch, capsys
):
    for name, value in example_secrets.items():
        monkeypatch.setenv(name, value)
    catalog = tmp_path / "catalog"
    shutil.copytree(example_catalog, catalog)
    redactor = configure_logging("INFO", "json")
    reloader = CatalogReloader(sqlite_db, SystemClock(), catalog, redactor)

    assert reloader("cli").ok
    secret = example_secrets["PAY_API_HEALTH_TOKEN"]
    get_logger("test").warning("probe failed", detail=f"Authorization: Bearer {secret} rejected")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line["event"] == "probe failed")
    assert secret not in json.dumps(lines)
    assert warning["detail"] == f"Authorization: Bearer {REDACTED} rejected"


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)

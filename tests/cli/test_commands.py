"""The `watchkeeper` command as a user runs it: exit codes, messages on stderr, --json on stdout."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from watchkeeper.settings import Settings
from watchkeeper.store.migrate import head_revision


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_version_and_help_need_no_configuration():
    version = run("--version")
    helped = run("--help")

    assert version.returncode == 0
    assert version.stdout.startswith("watchkeeper, version ")
    assert helped.returncode == 0
    for command in ("validate", "catalog", "db", "serve", "demo"):
        assert command in helped.stdout


def test_validate_the_example_without_secrets(example_catalog):
    result = run("validate", "--no-secrets", str(example_catalog))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("(secret values not checked)")
    assert "3 teams, 10 people, 2 platforms, 3 services, 10 checks" in result.stdout
    assert result.stdout.count("\n") == 1


def test_validate_the_example_with_its_secrets_set(example_catalog, example_secrets):
    missing = run("validate", str(example_catalog))
    present = run("validate", str(example_catalog), env=example_secrets)

    assert missing.returncode == 1
    assert f"{len(example_secrets)} problems in the catalog" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert present.returncode == 0, present.stderr
    for value in example_secrets.values():
        assert value not in present.stdout + present.stderr


def test_validate_json_lists_problems_with_file_and_line(tmp_path, example_catalog):
    catalog = tmp_path / "catalog"
    shutil.copytree(example_catalog, catalog)
    notify = catalog / "teams" / "notify.yaml"
    notify.write_text(notify.read_text().replace("type: tcp", "type: tpc"))
    line = next(n for n, text in enumerate(notify.read_text().splitlines(), 1) if "id: notify-smtp" in text)

    result = run("validate", "--no-secrets", "--json", str(catalog))

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"] == [
        {
            "file": str(notify),
            "line": line,
            "message": "service 'notify-api', checks[notify-smtp]: unknown check type 'tpc'",
            "hint": "did you mean 'tcp'?",
        }
    ]


def test_validate_json_summarises_a_valid_catalog(example_catalog):
    result = run("validate", "--no-secrets", "--json", str(example_catalog))

    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["summary"]["checks"] == 10
    assert "PAY_API_HEALTH_TOKEN" in report["secrets"]
    assert report["secrets_checked"] is False


def test_validate_a_path_that_does_not_exist():
    result = run("validate", "/no/such/catalog")

    assert result.returncode == 1
    assert "/no/such/catalog: no such file or directory" in result.stderr


def test_db_upgrade_creates_the_schema_and_reports_the_revision(tmp_path):
    url = f"sqlite:///{tmp_path}/wk.db"

    result = run("db", "upgrade", "--json", env={"WATCHKEEPER_DATABASE_URL": url})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["revision"] == head_revision()
    assert "teams" in inspect(create_engine(url)).get_table_names()


def test_db_upgrade_refuses_an_unsupported_url():
    result = run("db", "upgrade", env={"WATCHKEEPER_DATABASE_URL": "mysql://root:hunter2@db/watchkeeper"})

    assert result.returncode == 1
    assert "unsupported database 'mysql'" in result.stderr
    assert "hunter2" not in result.stderr


def test_catalog_apply_loads_the_database_for_a_deploy_pipeline(tmp_path, example_catalog, example_secrets):
    env = {**example_secrets, "WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db"}

    first = run("catalog", "apply", str(example_catalog), env=env)
    second = run("catalog", "apply", "--json", str(example_catalog), env=env)

    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout
    assert json.loads(second.stdout)["outcome"] == "unchanged"
    # The catalog says who is in which team and who is a platform admin: a load that changes it is audited.
    with create_engine(env["WATCHKEEPER_DATABASE_URL"]).connect() as connection:
        entries = connection.execute(text("SELECT action, via, actor, after FROM audit_events")).all()
    assert [(action, via) for action, via, _actor, _after in entries] == [("catalog.apply", "cli")]
    assert json.loads(entries[0].after)["changes"]["created"] > 0


def test_catalog_apply_with_problems_changes_nothing_and_exits_1(tmp_path, example_catalog):
    env = {"WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db"}

    result = run("catalog", "apply", str(example_catalog), env=env)

    assert result.returncode == 1
    assert "problem(s); nothing was changed" in result.stderr
    assert "secret PROMETHEUS_TOKEN is not set" in result.stderr


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "WATCHKEEPER_SECRET_KEY is not set. Make one with: python3 -c"),
        ("changeme", "WATCHKEEPER_SECRET_KEY looks like a placeholder"),
        ("short-key", "WATCHKEEPER_SECRET_KEY looks like a placeholder"),
    ],
)
def test_serve_refuses_a_missing_or_placeholder_secret_key(tmp_path, key, message):
    env = {"WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db"}
    if key is not None:
        env["WATCHKEEPER_SECRET_KEY"] = key

    result = run("serve", env=env)

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_reads_the_secret_key_from_a_file_and_reports_a_bad_setting(tmp_path):
    result = run("serve", "--port", "0", env={"WATCHKEEPER_SECRET_KEY_FILE": str(tmp_path / "missing")})
    bad = run("serve", env={"WATCHKEEPER_PORT": "eighty"})

    assert result.returncode == 1
    assert "cannot be read" in result.stderr
    assert bad.returncode == 2
    assert "WATCHKEEPER_PORT" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(("value", "level"), [("debug", "DEBUG"), ("DEBUG", "DEBUG"), (" Warning ", "WARNING")])
def test_the_log_level_is_read_in_any_case(monkeypatch, value, level):
    monkeypatch.setenv("WATCHKEEPER_LOG_LEVEL", value)

    assert Settings().log_level == level


def test_a_bad_log_level_names_the_setting_and_the_choices(tmp_path):
    result = run("serve", env={"WATCHKEEPER_LOG_LEVEL": "verbose"})

    assert result.returncode == 2
    assert result.stderr == (
        "Bad setting:\n  WATCHKEEPER_LOG_LEVEL: 'verbose' is not a log level: use DEBUG, INFO, WARNING or ERROR\n"
    )


@pytest.mark.parametrize(
    ("value", "listen"),
    [
        ("", None),
        ("127.0.0.1:9465", ("127.0.0.1", 9465)),
        ("0.0.0.0:9465", ("0.0.0.0", 9465)),
        ("[::1]:0", ("::1", 0)),
        ("localhost:9465", ("localhost", 9465)),
    ],
)
def test_the_engine_metrics_address(monkeypatch, value, listen):
    monkeypatch.setenv("WATCHKEEPER_ENGINE_METRICS_ADDRESS", value)

    assert Settings().engine_metrics_listen() == listen


@pytest.mark.parametrize("value", ["9465", ":9465", "localhost", "::1:9465", "127.0.0.1:99999", "http://x:1"])
def test_a_bad_engine_metrics_address_is_a_clear_error(value):
    result = run("serve", env={"WATCHKEEPER_ENGINE_METRICS_ADDRESS": value})

    assert result.returncode == 2
    assert f"WATCHKEEPER_ENGINE_METRICS_ADDRESS: {value!r} is not an address: expected HOST:PORT" in result.stderr
    assert "Traceback" not in result.stderr

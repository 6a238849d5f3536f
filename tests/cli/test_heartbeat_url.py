"""`watchkeeper heartbeat url`: a heartbeat check's ping URLs, as a user asks for them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from watchkeeper.services.heartbeats import ping_token
from watchkeeper.settings import Settings

KEY = "cli-tests-secret-key-0123456789-abcdefghijkl"
CATALOG = """teams:
  - {id: t, name: T}
services:
  - id: s
    name: S
    owner: t
    checks:
      - {id: nightly-backup, type: heartbeat, schedule: '0 2 * * *', grace: 30m}
      - {id: api, type: http, url: 'http://127.0.0.1/'}
"""


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


def test_it_prints_each_ping_url_at_the_public_address(catalog, tmp_path):
    env = {"WATCHKEEPER_SECRET_KEY": KEY, "WATCHKEEPER_PUBLIC_URL": "https://wk.example.org/jobs/"}

    result = run("heartbeat", "url", "--id", "nightly-backup", "--catalog", str(catalog), env=env, cwd=tmp_path)

    ping = f"https://wk.example.org/jobs/ping/{ping_token(KEY, 'nightly-backup')}"
    assert result.returncode == 0, result.stderr
    for line in (f"success    {ping}\n", f"start      {ping}/start\n", f"failure    {ping}/fail\n", f"{ping}/CODE"):
        assert line in result.stdout
    assert f"curl -fsS -m 10 --retry 3 {ping}/$?" in result.stdout
    assert result.stderr == ""
    assert KEY not in result.stdout


def test_json_gives_each_url_and_the_exit_code_form(catalog, tmp_path):
    env = {"WATCHKEEPER_SECRET_KEY": KEY, "WATCHKEEPER_CATALOG": str(catalog), "WATCHKEEPER_PORT": "8123"}

    result = run("heartbeat", "url", "--id", "nightly-backup", "--json", env=env, cwd=tmp_path)

    ping = f"http://127.0.0.1:8123/ping/{ping_token(KEY, 'nightly-backup')}"
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "check": "nightly-backup",
        "success": ping,
        "start": f"{ping}/start",
        "fail": f"{ping}/fail",
        "exit_code": f"{ping}/{{code}}",
    }
    assert "WATCHKEEPER_PUBLIC_URL is not set" in result.stderr


def test_without_a_catalog_it_reads_the_checks_in_the_database(catalog, tmp_path):
    env = {"WATCHKEEPER_SECRET_KEY": KEY, "WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db"}
    assert run("catalog", "apply", str(catalog), env=env, cwd=tmp_path).returncode == 0

    result = run("heartbeat", "url", "--id", "nightly-backup", "--json", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["success"].endswith(f"/ping/{ping_token(KEY, 'nightly-backup')}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "nightly-bakup"], "no check 'nightly-bakup' in CATALOG (did you mean 'nightly-backup'?)"),
        (["--id", "api"], "check 'api' in CATALOG is of type http, not heartbeat"),
    ],
)
def test_an_unknown_id_or_a_check_of_another_type_is_a_clear_error(catalog, tmp_path, args, message):
    env = {"WATCHKEEPER_SECRET_KEY": KEY}

    result = run("heartbeat", "url", *args, "--catalog", str(catalog), env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert message.replace("CATALOG", str(catalog)) in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_it_needs_the_servers_secret_key(catalog, tmp_path):
    result = run("heartbeat", "url", "--id", "nightly-backup", "--catalog", str(catalog), env={}, cwd=tmp_path)

    assert result.returncode == 1
    assert "WATCHKEEPER_SECRET_KEY is not set" in result.stderr


def test_with_no_catalog_and_no_database_it_says_what_to_give(tmp_path):
    result = run("heartbeat", "url", "--id", "x", env={"WATCHKEEPER_SECRET_KEY": KEY}, cwd=tmp_path)

    assert result.returncode == 1
    assert "there is no database at ./watchkeeper.db: give --catalog" in result.stderr
    assert not (tmp_path / "watchkeeper.db").exists()  # looking made no database


def test_a_bad_public_url_is_refused_with_the_reason(catalog, tmp_path):
    env = {"WATCHKEEPER_SECRET_KEY": KEY, "WATCHKEEPER_PUBLIC_URL": "wk.example.org"}

    result = run("heartbeat", "url", "--id", "nightly-backup", "--catalog", str(catalog), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "WATCHKEEPER_PUBLIC_URL: 'wk.example.org' is not an http:// or https://" in result.stderr


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ({"public_url": "https://wk.example.org/"}, "https://wk.example.org"),
        ({"public_url": "http://10.0.0.5:8080/watchkeeper/"}, "http://10.0.0.5:8080/watchkeeper"),
        ({"public_url": "  "}, "http://127.0.0.1:8000"),
        ({"host": "::1", "port": 9000}, "http://[::1]:9000"),
    ],
)
def test_the_base_url_is_the_public_address_or_else_the_one_listened_on(given, base):
    assert Settings(**given).base_url() == base

"""`watchkeeper integrations list|rotate`: keys printed once, kept only as digests, old keys dead at once."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")} | env
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory, example_catalog: Path, example_secrets: dict[str, str]
) -> dict[str, str]:
    database = tmp_path_factory.mktemp("integrations") / "wk.db"
    values = example_secrets | {
        "WATCHKEEPER_DATABASE_URL": f"sqlite:///{database}",
        "WATCHKEEPER_PUBLIC_URL": "https://wk.example/",
        "LOGNAME": "asha",  # who rotates: the login name, which getpass reads from here first
    }
    applied = run("catalog", "apply", str(example_catalog), env=values)
    assert applied.returncode == 0, applied.stderr
    return values


def test_list_shows_every_integration_with_its_endpoint_and_no_key_yet(env):
    listed = run("integrations", "list", "--json", env=env)

    assert listed.returncode == 0, listed.stderr
    found = {item["id"]: item for item in json.loads(listed.stdout)}
    assert set(found) >= {"pay-alertmanager", "pay-sentry", "re-alertmanager", "re-events"}
    assert found["re-events"]["endpoint"] == "https://wk.example/v2/enqueue"
    assert found["pay-sentry"] == found["pay-sentry"] | {
        "team": "pay",
        "type": "sentry",
        "endpoint": "https://wk.example/api/v1/integrations/sentry/<key>",
    }
    assert found["pay-alertmanager"]["key_issued"] is False


def test_rotate_prints_the_key_once_with_its_url_and_keeps_only_its_digest(env):
    rotated = run("integrations", "rotate", "--id", "pay-alertmanager", "--json", env=env)
    issued = json.loads(rotated.stdout)
    listed = run("integrations", "list", env=env)

    key = issued["key"]
    assert rotated.returncode == 0, rotated.stderr
    assert len(key) == 32
    assert set(key) <= set("0123456789abcdef")
    assert issued["url"] == f"https://wk.example/api/v1/integrations/alertmanager/{key}"
    assert f"key …{key[-4:]} issued" in listed.stdout
    assert (issued["key_issued"], issued["hint"]) == (True, key[-4:])  # the new key's, not the one it replaced
    assert issued["issued_by"]  # the login name
    assert (
        listed.stdout.split(f"key …{key[-4:]} issued", 1)[1].splitlines()[0].endswith(f" UTC by {issued['issued_by']}")
    )
    assert key not in listed.stdout
    engine = create_engine(env["WATCHKEEPER_DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(text("select * from integration_keys")).mappings().all()
    engine.dispose()
    assert key not in str(stored)
    assert [row["hint"] for row in stored if row["integration_id"] == "pay-alertmanager"] == [key[-4:]]


def test_rotate_as_text_says_where_to_paste_the_key(env):
    rotated = run("integrations", "rotate", "--id", "re-events", env=env)

    assert rotated.returncode == 0, rotated.stderr
    assert "the previous key no longer works" in rotated.stdout
    assert "Events API v2 URL: https://wk.example/v2/enqueue" in rotated.stdout
    assert "routing_key: " in rotated.stdout


def test_rotating_an_unknown_integration_suggests_the_closest(env):
    rotated = run("integrations", "rotate", "--id", "pay-alertmanagr", env=env)

    assert rotated.returncode == 1
    assert (
        rotated.stderr.strip()
        == "no integration 'pay-alertmanagr' in the catalog (did you mean pay-alertmanager or re-alertmanager?)"
    )

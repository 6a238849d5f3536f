"""`watchkeeper db housekeeping` and the retention settings, as a user runs them."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def test_housekeeping_rolls_up_and_deletes_at_once(tmp_path):
    url = f"sqlite:///{tmp_path}/wk.db"
    database = Database(url)
    database.upgrade()
    now = datetime.now(UTC)
    rows = [
        {"check_id": "web", "at": at, "ok": True, "reason": "ok", "total_ms": 5.0}
        for at in (now - timedelta(days=3), now - timedelta(hours=2), now - timedelta(minutes=30))
    ]
    with database.transaction() as connection:
        connection.execute(insert(t.check_results), rows)
    database.dispose()

    result = run(
        "db", "housekeeping", "--json", env={"WATCHKEEPER_DATABASE_URL": url, "WATCHKEEPER_RESULT_RETENTION": "2d"}
    )
    again = run("db", "housekeeping", env={"WATCHKEEPER_DATABASE_URL": url, "WATCHKEEPER_RESULT_RETENTION": "2d"})

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rollups_written"]["minute"] == 3
    assert report["deleted"] == {"results": 1, "rollups": 1, "pings": 0}
    assert again.stdout.startswith("rolled up 0 minutes, 0 hours and 0 days; deleted 0 results and 0 rollups")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("WATCHKEEPER_RESULT_RETENTION", "7", "'7' is not a duration"),
        ("WATCHKEEPER_RESULT_RETENTION", "6h", "6h is too short: keep raw results at least 1d"),
        ("WATCHKEEPER_ROLLUP_RETENTION", "3d", "3d is shorter than WATCHKEEPER_RESULT_RETENTION (1w)"),
    ],
)
def test_a_bad_retention_is_a_message_not_a_traceback(tmp_path, variable, value, message):
    result = run("db", "housekeeping", env={"WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db", variable: value})

    assert result.returncode == 2
    assert f"{variable}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_retention_defaults_and_spellings(monkeypatch):
    defaults = Settings()
    monkeypatch.setenv("WATCHKEEPER_RESULT_RETENTION", "2w")
    monkeypatch.setenv("WATCHKEEPER_ROLLUP_RETENTION", "13w1d")
    spelled = Settings()

    assert (defaults.result_retention, defaults.rollup_retention) == (timedelta(days=7), timedelta(days=400))
    assert (spelled.result_retention, spelled.rollup_retention) == (timedelta(days=14), timedelta(days=92))

"""`watchkeeper alerts list|show|ack|resolve`, as a user runs them against a database with an alert in it."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.store import Database

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
teams: [{id: pay, name: Pay, channels: [{id: pay-inbox, type: inbox}]}]
services:
  - {id: pay-api, name: Payments API, owner: pay, checks: [{id: pay-api-health, type: tcp, host: localhost, port: 1}]}
"""


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    environment["WATCHKEEPER_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def _database_with_an_alert(tmp_path: Path) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path}/wk.db"
    database = Database(url)
    database.upgrade()
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    assert apply_loaded(database, load_catalog(path), source=str(path), clock=FixedClock(T0), trigger="cli").ok
    signal = Signal(
        action="trigger",
        dedup_key="check:pay-api-health",
        source="check",
        subject=Subject("check", "pay-api-health"),
        summary="pay-api-health is DOWN: connection refused",
    )
    [received] = receive(database, [signal], T0)
    database.dispose()
    assert received.alert_id is not None
    return url, received.alert_id


def test_list_shows_open_alerts_and_show_gives_the_timeline(tmp_path: Path) -> None:
    url, alert_id = _database_with_an_alert(tmp_path)

    listed = run("alerts", "list", url=url)
    shown = run("alerts", "show", str(alert_id), url=url)
    as_json = json.loads(run("alerts", "list", "--json", url=url).stdout)

    assert listed.returncode == 0, listed.stderr
    assert "triggered" in listed.stdout
    assert "pay-api-health is DOWN: connection refused" in listed.stdout
    assert shown.returncode == 0, shown.stderr
    assert f"alert {alert_id}: pay-api-health is DOWN" in shown.stdout
    assert "routed" in shown.stdout
    assert "no route of team pay matched; every channel of the team: channel:pay-inbox" in shown.stdout
    assert [a["id"] for a in as_json] == [alert_id]


def test_ack_then_resolve_by_hand_names_who_did_it(tmp_path: Path) -> None:
    url, alert_id = _database_with_an_alert(tmp_path)

    acked = run("alerts", "ack", str(alert_id), "--by", "fatima", url=url)
    again = run("alerts", "ack", str(alert_id), "--by", "fatima", url=url)
    resolved = run("alerts", "resolve", str(alert_id), "--by", "george", "--json", url=url)
    after = run("alerts", "resolve", str(alert_id), url=url)
    listed = json.loads(run("alerts", "list", "--status", "resolved", "--json", url=url).stdout)

    assert acked.stdout.strip() == f"alert {alert_id} acknowledged by fatima"
    assert again.stdout.strip() == f"alert {alert_id}: nothing to do (already acknowledged)"
    assert json.loads(resolved.stdout)["outcome"] == "resolved"
    assert after.returncode == 1
    assert after.stderr.strip() == f"alert {alert_id} is already resolved"
    assert (listed[0]["acknowledged_by"], listed[0]["resolved_by"]) == ("fatima (cli)", "george (cli)")


def test_an_unknown_alert_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    url, _ = _database_with_an_alert(tmp_path)

    shown = run("alerts", "show", "999", url=url)
    bad = run("alerts", "show", "nine", url=url)

    assert (shown.returncode, shown.stderr.strip()) == (1, "there is no alert 999")
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr

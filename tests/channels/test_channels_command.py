"""`watchkeeper channels test`: a real process renders and sends a test message to a channel of a catalog."""

import json
import os
import subprocess
import sys
from pathlib import Path

from channel_receivers import Answer, Receiver


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", "channels", "test", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def catalog(tmp_path: Path, receiver: Receiver) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(
        f"""
teams:
  - id: pay
    name: Pay
    channels:
      - id: pay-hook
        type: webhook
        url: {receiver.url("/hook")}
        secret: ${{WK_TEST_SIGNING_SECRET}}
      - id: pay-inbox
        type: inbox
"""
    )
    return path


def test_it_sends_a_test_message_and_says_it_was_taken(tmp_path: Path, receiver: Receiver):
    done = run(
        "--catalog",
        str(catalog(tmp_path, receiver)),
        "--id",
        "pay-hook",
        env={"WK_TEST_SIGNING_SECRET": "cli-signing-secret-1"},
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "pay-hook (webhook): sent: HTTP 200 ok\n"
    [sent] = receiver.requests
    assert sent.json()["title"] == "Test of channel pay-hook"
    assert sent.json()["alerts"][0]["severity"] == "ticket"
    assert sent.headers["Watchkeeper-Signature"].startswith("sha256=")


def test_a_failing_channel_exits_1_and_json_says_whether_to_retry(tmp_path: Path, receiver: Receiver):
    receiver.answer("/hook", Answer(503, "down for maintenance", {"Retry-After": "60"}))

    done = run(
        "--catalog",
        str(catalog(tmp_path, receiver)),
        "--id",
        "pay-hook",
        "--json",
        env={"WK_TEST_SIGNING_SECRET": "cli-signing-secret-1"},
    )

    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "channel": "pay-hook",
        "type": "webhook",
        "outcome": "retry",
        "detail": "receiver error: HTTP 503 down for maintenance",
        "status_code": 503,
        "retry_after": 60.0,
    }


def test_a_missing_secret_is_reported_by_name_and_nothing_is_sent(tmp_path: Path, receiver: Receiver):
    done = run("--catalog", str(catalog(tmp_path, receiver)), "--id", "pay-hook")

    assert done.returncode == 1
    assert "WK_TEST_SIGNING_SECRET is not set" in done.stdout
    assert receiver.requests == []


def test_an_unknown_channel_gets_the_closest_id(tmp_path: Path, receiver: Receiver):
    done = run("--catalog", str(catalog(tmp_path, receiver)), "--id", "pay-hok")

    assert done.returncode == 1
    assert "no channel 'pay-hok'" in done.stderr
    assert "pay-hook" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_inbox_channel_is_explained_rather_than_sent(tmp_path: Path, receiver: Receiver):
    done = run("--catalog", str(catalog(tmp_path, receiver)), "--id", "pay-inbox")

    assert done.returncode == 1
    assert "kept by a running server" in done.stderr

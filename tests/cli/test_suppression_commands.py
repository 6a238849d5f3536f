"""`watchkeeper silences` and `watchkeeper maintenance` as a user runs them: text, --json, exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchkeeper.cli.main import cli

CATALOG = """
teams:
  - {id: pay, name: Pay}
  - {id: re, name: RE, platform_team: true}
platforms:
  - id: paas
    name: PaaS
    owner: re
    maintenance:
      - {id: paas-patching, name: Patching, recurrence: "FREQ=WEEKLY;BYDAY=TU", start: "06:00", duration: 1h,
         timezone: Europe/London}
services:
  - {id: pay-api, name: Payments API, owner: pay, platform: paas}
"""


@pytest.fixture
def wk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(__import__("os").environ):
        if name.startswith("WATCHKEEPER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHKEEPER_DATABASE_URL", f"sqlite:///{tmp_path}/wk.db")
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    applied = run("catalog", "apply", str(catalog))
    assert applied.exit_code == 0, applied.output
    return run


def test_a_silence_is_added_listed_and_expired(wk):
    added = wk(
        "silences", "add", "--matcher", "service=pay-api", "--matcher", "severity=~page|ticket", "--for", "2h",
        "--author", "Asha", "--comment", "deploying", "--json",
    )  # fmt: skip
    silence = json.loads(added.stdout)
    listed = wk("silences", "list")
    expired = wk("silences", "expire", str(silence["id"]), "--author", "Ben", "--json")
    again = wk("silences", "expire", str(silence["id"]), "--author", "Ben")

    assert added.exit_code == 0
    assert silence["matchers"] == ["service=pay-api", "severity=~page|ticket"]
    assert f"{silence['id']}  active" in listed.stdout
    assert "Asha: deploying" in listed.stdout
    assert json.loads(expired.stdout)["expired_by"] == "Ben"
    assert again.exit_code == 1
    assert "has already ended" in again.stderr
    assert json.loads(wk("silences", "list", "--json").stdout) == []
    assert [s["id"] for s in json.loads(wk("silences", "list", "--expired", "--json").stdout)] == [silence["id"]]


def test_a_bad_matcher_is_a_message_and_exit_1_not_a_traceback(wk):
    result = wk("silences", "add", "--matcher", "service=~(", "--for", "1h", "--author", "A", "--comment", "c")

    assert result.exit_code == 1
    assert "matchers[0]: the regex of service does not compile" in result.stderr
    assert "Traceback" not in result.output


def test_a_comment_is_required(wk):
    result = wk("silences", "add", "--matcher", "service=pay-api", "--for", "1h")

    assert result.exit_code == 2
    assert "Missing option '--comment'" in result.stderr


def test_a_bad_length_is_a_usage_error(wk):
    result = wk("silences", "add", "--matcher", "team=pay", "--for", "soon", "--author", "A", "--comment", "c")

    assert result.exit_code == 2
    assert "'soon' is not a duration" in result.stderr


def test_a_silence_or_window_past_a_year_or_the_year_9999_is_a_message_not_a_traceback(wk):
    silence = wk(
        "silences", "add", "--matcher", "service=pay-api", "--for", "999999999d", "--author", "A", "--comment", "c"
    )
    window = wk("maintenance", "add", "--platform", "paas", "--for", "999999999d", "--name", "x", "--author", "A")
    late = wk(
        "maintenance", "add", "--platform", "paas", "--start", "9999-12-31T23:30", "--for", "1h", "--name", "x",
        "--author", "A",
    )  # fmt: skip

    assert [r.exit_code for r in (silence, window, late)] == [1, 1, 1]
    assert "the duration is longer than a year: give a year (366d) at most" in silence.stderr
    assert "the duration is longer than a year" in window.stderr
    assert "the end, 1 h after 9999-12-31T23:30:00+00:00, is after the year 9999" in late.stderr
    assert json.loads(wk("maintenance", "list", "--json").stdout)["runtime"] == []


def test_a_maintenance_window_is_added_listed_and_cancelled(wk):
    added = wk(
        "maintenance", "add", "--platform", "paas", "--start", "2099-01-05T06:00", "--for", "2h",
        "--name", "Kernel upgrade", "--author", "Asha", "--json",
    )  # fmt: skip
    window = json.loads(added.stdout)
    listed = wk("maintenance", "list")
    cancelled = wk("maintenance", "cancel", str(window["id"]), "--author", "Ben")

    assert added.exit_code == 0, added.output
    assert (window["starts_at"], window["ends_at"]) == ("2099-01-05T06:00:00+00:00", "2099-01-05T08:00:00+00:00")
    assert window["scope"]["platforms"] == ["paas"]
    assert "paas-patching  platform paas  FREQ=WEEKLY;BYDAY=TU" in listed.stdout
    assert f"{window['id']}  scheduled 2099-01-05 06:00 UTC to 2099-01-05 08:00 UTC  Kernel upgrade" in listed.stdout
    assert "cancelled" in cancelled.stdout
    assert "by Asha" in cancelled.stdout
    assert json.loads(wk("maintenance", "list", "--json").stdout)["runtime"] == []


def test_a_window_over_something_not_in_the_catalog_is_refused(wk):
    result = wk("maintenance", "add", "--service", "nope", "--for", "1h", "--name", "x", "--author", "A")

    assert result.exit_code == 1
    assert "no service 'nope' in the catalog" in result.stderr

"""`watchkeeper oncall now|shifts|gaps` as a user runs them: from the database and from --catalog files, text and
--json, and a one-line message with exit 2 for every mistake."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from watchkeeper.cli.main import cli

CATALOG = """
teams:
  - id: re
    name: Reliability
    people:
      - {id: asha, name: Asha Patel, email: asha@example.org}
      - {id: ben, name: Ben Okafor, email: ben@example.org}
    schedules:
      - id: re-primary
        name: RE primary
        timezone: Europe/London
        layers:
          - name: weekly
            start: 2026-01-07T09:30
            rotation: [asha, ben]
            turn: 1w
          - name: nights
            start: 2026-01-05T17:30
            rotation: [ben]
            turn: 1d
            restrict:
              - {days: [mon], from: "17:30", to: "09:30"}
      - id: re-daytime
        timezone: Europe/London
        layers:
          - start: 2026-01-05T09:00
            rotation: [asha]
            turn: 1d
            restrict:
              - {days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00"}
  - {id: pay, name: Pay}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog"
    path.mkdir()
    (path / "teams.yaml").write_text(CATALOG)
    return path


@pytest.fixture
def wk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("WATCHKEEPER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHKEEPER_DATABASE_URL", f"sqlite:///{tmp_path}/wk.db")
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def applied(wk, catalog: Path):
    result = wk("catalog", "apply", str(catalog))
    assert result.exit_code == 0, result.output
    return wk


def test_who_is_on_call_across_the_spring_change_from_the_database(applied):
    result = applied("oncall", "now", "--at", "2026-03-30T17:00Z")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Monday 30 March, 18:00 BST: ben's night layer, then his week until Wednesday; asha's daytime layer is off.
    assert lines[0] == "re / re-daytime: nobody on call until Tue 31 Mar 2026 09:00 +01:00  [Europe/London]"
    assert lines[1] == (
        "re / re-primary: Ben Okafor (ben) <ben@example.org> until Wed 01 Apr 2026 09:30 +01:00, nights"
        "  [Europe/London]"
    )


def test_now_as_json_gives_instants_with_the_schedules_offset(applied):
    result = applied("oncall", "now", "--team", "re", "--at", "2026-03-30T17:00+00:00", "--json")

    answers = json.loads(result.stdout)
    assert [a["schedule"] for a in answers] == ["re-daytime", "re-primary"]
    assert answers[1]["person"] == {"id": "ben", "name": "Ben Okafor", "email": "ben@example.org"}
    assert answers[1]["at"] == "2026-03-30T18:00:00+01:00"
    assert answers[1]["until"] == "2026-04-01T09:30:00+01:00"
    assert answers[0]["person"] is None


def test_shifts_from_the_catalog_files_without_a_database(wk, catalog: Path, tmp_path: Path):
    result = wk(
        "oncall", "shifts", "--catalog", str(catalog), "--schedule", "re-primary",
        "--from", "2026-03-27T09:30Z", "--to", "2026-04-01T08:30Z",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "re / re-primary (RE primary), times in Europe/London:",
        "  Fri 27 Mar 2026 09:30 +00:00  to  Mon 30 Mar 2026 17:30 +01:00  Ben Okafor (ben), weekly",
        "  Mon 30 Mar 2026 17:30 +01:00  to  Tue 31 Mar 2026 09:30 +01:00  Ben Okafor (ben), nights",
        "  Tue 31 Mar 2026 09:30 +01:00  to  Wed 01 Apr 2026 09:30 +01:00  Ben Okafor (ben), weekly",
    ]
    assert not (tmp_path / "wk.db").exists()  # the files alone answered


def test_shifts_as_json_from_the_database_include_the_gaps(applied):
    result = applied(
        "oncall", "shifts", "--schedule", "re-daytime", "--from", "2026-03-27T00:00Z", "--to", "2026-03-31T00:00Z",
        "--json",
    )  # fmt: skip

    found = json.loads(result.stdout)
    assert found["from"] == "2026-03-27T00:00:00+00:00"
    assert found["to"] == "2026-03-31T01:00:00+01:00"
    assert [(s["start"], s["end"], s["person"]["id"]) for s in found["shifts"]] == [
        ("2026-03-27T09:00:00+00:00", "2026-03-27T17:00:00+00:00", "asha"),
        ("2026-03-30T09:00:00+01:00", "2026-03-30T17:00:00+01:00", "asha"),
    ]
    assert found["gaps"][1] == {"start": "2026-03-27T17:00:00+00:00", "end": "2026-03-30T09:00:00+01:00"}


def test_gaps_over_the_next_days(applied, catalog: Path):
    from_files = applied(
        "oncall", "gaps", "--schedule", "re-daytime", "--catalog", str(catalog), "--from", "2026-03-27T12:00Z",
        "--days", "1",
    )  # fmt: skip
    as_json = applied("oncall", "gaps", "--schedule", "re-primary", "--from", "2026-03-27T12:00Z", "--json")

    assert from_files.stdout.splitlines() == [
        "re / re-daytime, times in Europe/London:",
        "  Fri 27 Mar 2026 17:00 +00:00  to  Sat 28 Mar 2026 12:00 +00:00  nobody on call",
    ]
    assert json.loads(as_json.stdout)["gaps"] == []
    assert "shifts" not in json.loads(as_json.stdout)
    assert "no gaps" in applied("oncall", "gaps", "--schedule", "re-primary", "--from", "2026-06-01").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("now", "--team", "paw"), "no team 'paw' in the database (did you mean 'pay'?)"),
        (("now", "--at", "tomorrow"), "--at: 'tomorrow' is not a date and time"),
        (("shifts", "--schedule", "re-primry", "--from", "2026-01-01", "--to", "2026-01-02"), "did you mean"),
        (("shifts", "--schedule", "re-primary", "--from", "2026-01-02", "--to", "2026-01-01"), "must end after"),
        (("shifts", "--schedule", "re-primary", "--from", "2026-01-01", "--to", "2027-06-01"), "at most 366 days"),
        (("shifts", "--schedule", "re-primary", "--from", "2026-01-01", "--to", "9999-01-01"), "between 1971"),
        (("gaps", "--schedule", "nope"), "no schedule 'nope'"),
        (("gaps", "--schedule", "re-primary", "--from", "9999-12-31"), "between 1971"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(applied, args, message):
    result = applied("oncall", *args)

    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_gaps_from_near_the_end_of_time_in_the_catalog_files_is_a_mistake_too(wk, catalog: Path):
    """`--from 9999-12-30` plus the days asked for overflowed before the range was checked: a traceback, where
    `shifts` and `now` said "between 1971 and 9000". From the files as from the database, it is exit 2."""
    result = CliRunner().invoke(
        cli, ["oncall", "gaps", "--schedule", "re-primary", "--from", "9999-12-30", "--catalog", str(catalog)]
    )

    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert "between 1971" in result.stderr


def test_a_broken_catalog_is_reported_as_file_and_line(wk, catalog: Path):
    (catalog / "teams.yaml").write_text(CATALOG.replace("turn: 1w", "turn: 30m"))

    result = wk("oncall", "now", "--catalog", str(catalog))

    assert result.exit_code == 2
    assert "teams.yaml:" in result.stderr
    assert "a turn lasts at least an hour" in result.stderr


def test_without_a_database_it_says_so_and_creates_none(wk, tmp_path: Path):
    result = wk("oncall", "now")

    assert result.exit_code == 1
    assert "there is no database at" in result.stderr
    assert not (tmp_path / "wk.db").exists()


def test_a_team_without_schedules_says_so(applied):
    assert applied("oncall", "now", "--team", "pay").stdout == "team pay has no schedules\n"
    assert applied("oncall", "now", "--team", "pay", "--json").stdout.strip() == "[]"

"""`watchkeeper oncall override|swap|cover` as a user runs them: text, --json, exit codes, one-line refusals."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchkeeper.cli.main import cli

# A rota that starts in 2099, so that the real clock these commands read is always before it (London is on GMT
# in January, so local times are UTC): asha from 2099-01-07 09:30, ben from 2099-01-14 09:30, asha again ...
CATALOG = """
teams:
  - id: re
    name: RE
    people:
      - {id: asha, name: Asha Patel, email: asha@example.org}
      - {id: ben, name: Ben Okafor, email: ben@example.org}
    schedules:
      - id: re-primary
        name: RE primary
        timezone: Europe/London
        layers:
          - {start: 2099-01-07T09:30, rotation: [asha, ben], turn: 1w}
  - id: pay
    name: Pay
    people:
      - {id: fatima, name: Fatima Hussain, email: fatima@example.org}
"""


@pytest.fixture
def wk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
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


def add(wk, *extra: str):
    return wk(
        "oncall", "override", "add", "--schedule", "re-primary", "--person", "fatima", "--replaces", "asha",
        "--from", "2099-01-08T09:00", "--to", "2099-01-08T17:00Z", "--author", "Asha", "--reason", "dentist", *extra,
    )  # fmt: skip


def test_an_override_is_added_listed_and_removed(wk):
    added = add(wk, "--json")
    made = json.loads(added.stdout)
    listed = wk("oncall", "override", "list", "--schedule", "re-primary")
    removed = wk("oncall", "override", "remove", str(made["id"]), "--author", "Ben", "--json")
    again = wk("oncall", "override", "remove", str(made["id"]), "--author", "Ben")

    assert added.exit_code == 0, added.output
    assert (made["person"], made["replaces"], made["state"]) == ("fatima", "asha", "scheduled")
    assert (made["starts_at"], made["ends_at"]) == ("2099-01-08T09:00:00+00:00", "2099-01-08T17:00:00+00:00")
    assert f"{made['id']}  scheduled re-primary  fatima for asha" in listed.stdout
    assert "2099-01-08 09:00 UTC to 2099-01-08 17:00 UTC" in listed.stdout
    assert "Asha: dentist" in listed.stdout
    assert json.loads(removed.stdout)[0]["removed_by"] == "Ben"
    assert again.exit_code == 1
    assert again.stderr == f"override {made['id']} has already ended\n"
    assert json.loads(wk("oncall", "override", "list", "--json").stdout) == []
    assert [o["state"] for o in json.loads(wk("oncall", "override", "list", "--all", "--json").stdout)] == ["removed"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--person", "fatma"), "person: no person 'fatma' in the catalog (did you mean fatima?)\n"),
        (("--schedule", "nope"), "no schedule 'nope' in the catalog\n"),
        (("--to", "2099-01-08T08:00"), "the end must come after the start\n"),
        (("--reason", " "), "reason is required: say who, or why, in words\n"),
    ],
)
def test_a_refused_override_is_one_line_and_exit_2(wk, extra, message):
    result = add(wk, *extra)

    assert result.exit_code == 2
    assert result.stderr == message
    assert "Traceback" not in result.output


def test_a_time_that_does_not_parse_or_a_missing_option_is_a_usage_error(wk):
    bad_time = add(wk, "--to", "next tuesday")
    no_reason = wk("oncall", "override", "add", "--schedule", "re-primary", "--person", "ben", "--author", "A")

    assert bad_time.exit_code == 2
    assert "'next tuesday' is not a date and time" in bad_time.stderr
    assert no_reason.exit_code == 2
    assert "Missing option '--to'" in no_reason.stderr or "Missing option '--reason'" in no_reason.stderr


def test_a_swap_writes_two_overrides_and_a_wrong_instant_is_refused(wk):
    swapped = wk(
        "oncall", "swap", "--schedule", "re-primary", "--person", "asha", "--at", "2099-01-08T12:00",
        "--with", "ben", "--with-at", "2099-01-15T12:00", "--author", "Asha", "--reason", "holiday", "--json",
    )  # fmt: skip
    # After the swap, asha has the second week, so a swap of ben's "third week" finds it is asha's.
    refused = wk(
        "oncall", "swap", "--schedule", "re-primary", "--person", "asha", "--at", "2099-01-15T12:00",
        "--with", "ben", "--with-at", "2099-01-22T12:00", "--author", "Asha", "--reason", "holiday",
    )  # fmt: skip

    pair = json.loads(swapped.stdout)
    assert swapped.exit_code == 0, swapped.output
    assert [(o["person"], o["replaces"], o["starts_at"], o["ends_at"]) for o in pair] == [
        ("ben", "asha", "2099-01-07T09:30:00+00:00", "2099-01-14T09:30:00+00:00"),
        ("asha", "ben", "2099-01-14T09:30:00+00:00", "2099-01-21T09:30:00+00:00"),
    ]
    assert refused.exit_code == 2
    assert refused.stderr == (
        "ben is not on call on re-primary at 2099-01-22 12:00 UTC: asha is (2099-01-21 09:30 to 2099-01-28 09:30 UTC)\n"
    )


def test_a_cover_takes_part_of_a_shift(wk):
    covered = wk(
        "oncall", "cover", "--schedule", "re-primary", "--person", "fatima", "--for", "ben",
        "--at", "2099-01-16T12:00", "--from", "2099-01-16T08:00", "--to", "2099-01-16T10:00",
        "--author", "Ben", "--reason", "school run",
    )  # fmt: skip

    assert covered.exit_code == 0, covered.output
    assert "fatima for ben" in covered.stdout
    assert "2099-01-16 08:00 UTC to 2099-01-16 10:00 UTC" in covered.stdout


def test_a_feed_url_is_printed_once_on_the_public_url_and_rotated_on_request(wk, monkeypatch):
    monkeypatch.setenv("WATCHKEEPER_PUBLIC_URL", "https://wk.example.org/watchkeeper")

    first = wk("oncall", "feed", "--schedule", "re-primary")
    again = wk("oncall", "feed", "--schedule", "re-primary")
    rotated = wk("oncall", "feed", "--schedule", "re-primary", "--rotate", "--json")
    person = wk("oncall", "feed", "--person", "asha", "--json")
    neither = wk("oncall", "feed")

    url = first.stdout.splitlines()[1]
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("Calendar of RE primary (schedule re-primary), shown once:")
    assert url.startswith("https://wk.example.org/watchkeeper/calendar/")
    assert url.endswith(".ics")
    assert again.exit_code == 1
    assert again.stderr.startswith("schedule re-primary already has a calendar link (ending …" + url[-8:-4])
    assert "Rotate to issue a new one" in again.stderr
    assert json.loads(rotated.stdout)["replaced"] == url[-8:-4]
    assert json.loads(rotated.stdout)["url"] != url
    assert json.loads(person.stdout)["person"] == "asha"
    assert neither.exit_code == 2
    assert "give either --schedule or --person" in neither.stderr

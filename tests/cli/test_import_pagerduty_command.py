"""`watchkeeper import pagerduty` as a user runs it: every team on stdout or one file per team, what was left
behind on stderr, output that `watchkeeper validate` accepts, and a clear message with exit 1 or 2 for bad
input, never a traceback."""

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from watchkeeper.cli.main import cli

EXPORT = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "pagerduty"
INTEGRATION_KEY = "c0ffee5e1f0a4b2d9e8f7a6b5c4d3e21"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["import", "pagerduty", *args])


def test_every_team_goes_to_stdout_and_validates_as_a_catalog(tmp_path: Path) -> None:
    result = invoke(str(EXPORT), "--team-id", "platform")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Imported from PagerDuty by `watchkeeper import pagerduty` (pagerduty)")
    lines = result.stderr.splitlines()
    assert lines[0] == "imported 7 people, 3 schedules and 2 escalation policies as 3 teams; 3 skipped"
    assert sum(line.startswith("skipped: ") for line in lines) == 3
    assert sum(line.startswith("note: ") for line in lines) == 12
    (tmp_path / "pagerduty.yaml").write_text(result.stdout)
    validated = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert validated.exit_code == 0, validated.output
    assert "3 teams, 7 people" in validated.stdout
    assert "3 schedules, 2 escalation policies" in validated.stdout


def test_out_writes_one_file_per_team_that_validates_beside_an_existing_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    (catalog / "teams").mkdir(parents=True)
    (catalog / "services.yaml").write_text(
        "services:\n  - id: card-payments\n    name: Card payments\n    owner: payments\n"
    )

    result = invoke(str(EXPORT), "--team-id", "platform", "--out", str(catalog / "teams"))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"as 3 teams in {catalog / 'teams'}" in result.stderr
    assert sorted(p.name for p in (catalog / "teams").iterdir()) == [
        "payments.yaml",
        "platform.yaml",
        "reliability-engineering.yaml",
    ]
    validated = CliRunner().invoke(cli, ["validate", str(catalog)])
    assert validated.exit_code == 0, validated.output


def test_out_refuses_to_replace_any_file_without_force(tmp_path: Path) -> None:
    (tmp_path / "payments.yaml").write_text("# edited by hand\n")

    refused = invoke(str(EXPORT), "--team-id", "platform", "--out", str(tmp_path))

    assert refused.exit_code == 1
    assert refused.stderr == f"{tmp_path / 'payments.yaml'} exists: give --force to replace it\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["payments.yaml"]  # nothing written at all
    forced = invoke(str(EXPORT), "--team-id", "platform", "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert (tmp_path / "payments.yaml").read_text().startswith("# Imported from PagerDuty")
    assert len(list(tmp_path.iterdir())) == 3  # no temporary file left


def test_json_prints_one_summary_document() -> None:
    result = invoke(str(EXPORT), "--team-id", "platform", "--json")

    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [team["id"] for team in summary["teams"]] == ["reliability-engineering", "payments", "platform"]
    assert summary["teams"][1]["pagerduty_id"] == "PT7PAYS"
    assert summary["teams"][1]["people"] == [{"id": "farah-khan", "pagerduty_id": "PU6FARA"}]
    assert summary["skipped"][0]["subject"] == 'PagerDuty schedule PS4WEEK "Payments weekend cover"'
    assert summary["skipped"][0]["team"] == "payments"
    assert summary["catalog"].startswith("# Imported from PagerDuty")


def test_the_integration_key_in_a_saved_services_response_is_never_printed_or_written(tmp_path: Path) -> None:
    printed = invoke(str(EXPORT), "--team-id", "platform")
    as_json = invoke(str(EXPORT), "--team-id", "platform", "--json")
    invoke(str(EXPORT), "--team-id", "platform", "--out", str(tmp_path))

    assert INTEGRATION_KEY not in printed.stdout + printed.stderr + as_json.stdout
    assert all(INTEGRATION_KEY not in path.read_text() for path in tmp_path.iterdir())


def test_what_is_in_no_team_without_a_team_id_is_a_usage_error() -> None:
    result = invoke(str(EXPORT))

    assert result.exit_code == 2
    assert 'PagerDuty user PU7GABS "Gabriel Silva" belongs to no PagerDuty team in the export' in result.stderr
    assert "give --team-id" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_team_id_is_refused_before_anything_is_read() -> None:
    result = invoke(str(EXPORT), "--team-id", "Platform Team")

    assert result.exit_code == 2
    assert "'Platform Team' is not a catalog id" in result.stderr


def test_files_that_are_not_json_are_each_named_with_line_and_column(tmp_path: Path) -> None:
    shutil.copy(EXPORT / "teams.json", tmp_path / "teams.json")
    (tmp_path / "users.json").write_text('{"users": [\n  {"id": "PU1",}\n]}\n')
    (tmp_path / "latin1.json").write_bytes(b'{"name": "Jos\xe9"}')

    result = invoke(str(tmp_path), "--team-id", "platform")

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'latin1.json'}: not UTF-8 text (invalid continuation byte at byte 13); an export is JSON",
        f"{tmp_path / 'users.json'}:2:16: not JSON: Expecting property name enclosed in double quotes",
        "nothing was written",
    ]


def test_export_problems_name_the_file_inside_the_directory_and_the_json_path(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text(json.dumps({"users": [{"id": "PU1", "name": "Asha", "email": 7}]}))

    result = invoke(str(tmp_path), "--team-id", "platform")

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'users.json'}: users[0].email: expected text, found a number",
        "1 problem in the export; nothing was written",
    ]


def test_a_single_file_can_be_imported_and_an_empty_directory_is_refused(tmp_path: Path) -> None:
    one = invoke(str(EXPORT / "users-page-2.json"), "--team-id", "platform")
    empty = invoke(str(tmp_path))

    assert one.exit_code == 0, one.stderr
    assert "imported 3 people, 0 schedules and 0 escalation policies as 1 team" in one.stderr
    assert empty.exit_code == 1
    assert empty.stderr == f"{tmp_path}: no .json files: save the PagerDuty API's responses there\n"

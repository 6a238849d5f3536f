"""`watchkeeper import pingdom` as a user runs it: YAML on stdout or in a file, a line per skipped check, note
and secret on stderr, and a clear message with exit 1 or 2 for bad input, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from watchkeeper.catalog import load_catalog
from watchkeeper.cli.main import cli

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures"
DETAILED = FIXTURES / "pingdom-checks-detailed.json"
CREDENTIALS = ("pk-live-77f1c2", "tok-9a8b7c6d5e", "Tr0ub4dor", "basic-pa55word")
TEAM = "teams:\n  - id: pay\n    name: GOV.UK Pay\n"


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["import", "pingdom", *args], input=stdin)


def test_the_yaml_goes_to_stdout_and_each_skipped_check_to_stderr(tmp_path: Path) -> None:
    result = invoke(str(DETAILED), "--team", "pay")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "# Imported from Pingdom by `watchkeeper import pingdom` (pingdom-checks-detailed.json)"
    )
    lines = result.stderr.splitlines()
    assert lines[0] == "imported 8 of 12 Pingdom checks as 8 services; 4 skipped"
    assert [line.split(" (")[0] for line in lines if line.startswith("skipped: ")] == [
        'skipped: Pingdom check 7100209 "Office router"',
        'skipped: Pingdom check 7100210 "Mail relay"',
        'skipped: Pingdom check 7100211 "Syslog collector"',
        'skipped: Pingdom check 7100212 "Sitemap freshness"',
    ]
    assert sum(line.startswith("secret: set PINGDOM_") for line in lines) == 4
    assert sum(line.startswith("note: ") for line in lines) == 1
    (tmp_path / "teams.yaml").write_text(TEAM)
    (tmp_path / "pingdom.yaml").write_text(result.stdout)
    assert len(load_catalog(tmp_path, check_secrets=False).services) == 8


def test_no_credential_is_printed_or_written(tmp_path: Path) -> None:
    output = tmp_path / "pingdom.yaml"

    printed = invoke(str(DETAILED), "--team", "pay")
    written = invoke(str(DETAILED), "--team", "pay", "--output", str(output))
    as_json = invoke(str(DETAILED), "--team", "pay", "--json")

    for secret in CREDENTIALS:
        assert secret not in printed.stdout + printed.stderr
        assert secret not in written.stdout + written.stderr + output.read_text()
        assert secret not in as_json.stdout


def test_output_writes_a_file_and_refuses_to_replace_one_without_force(tmp_path: Path) -> None:
    output = tmp_path / "pingdom.yaml"

    first = invoke(str(DETAILED), "--team", "pay", "--output", str(output))
    output.write_text("# edited by hand\n")
    refused = invoke(str(DETAILED), "--team", "pay", "-o", str(output))
    forced = invoke(str(DETAILED), "--team", "pay", "-o", str(output), "--force")

    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""
    assert f"8 services into {output}" in first.stderr
    assert refused.exit_code == 1
    assert refused.stderr == f"{output} exists: give --force to replace it\n"
    assert forced.exit_code == 0
    assert output.read_text().startswith("# Imported from Pingdom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pingdom.yaml"]  # no temporary file left


def test_json_prints_one_summary_document() -> None:
    result = invoke(str(DETAILED), "--team", "pay", "--group-by", "tag", "--json")

    assert result.exit_code == 0
    assert result.stderr == ""
    summary = json.loads(result.stdout)
    assert summary["services"] == 5
    assert [s["type"] for s in summary["skipped"]] == ["ping", "smtp", "udp", "httpcustom"]
    assert {key: summary["imported"][0][key] for key in ("pingdom_id", "name", "service")} == {
        "pingdom_id": 7100201,
        "name": "Card payments – frontend",
        "service": "payments",
    }
    assert summary["secrets"][0] == {
        "name": "PINGDOM_7100202_QUERY_API_KEY",
        "what": 'the URL-encoded api_key query parameter of Pingdom check 7100202 "Payments API"',
        "location": "checks[1].type.http.url",
        "in_export": True,
    }
    assert summary["catalog"].startswith("# Imported from Pingdom")


def test_standard_input_is_read_for_a_dash() -> None:
    result = invoke("-", "--team", "pay", stdin=(FIXTURES / "pingdom-check-7100301.json").read_text())

    assert result.exit_code == 0, result.stderr
    assert "(standard input)" in result.stdout
    assert "- id: booking-api\n" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"checks": [}', ":1:13: not JSON: Expecting value\n"),
        (b"\xff\xfe{}", ": not UTF-8 text (invalid start byte at byte 0); a Pingdom export is JSON\n"),
    ],
)
def test_a_file_that_is_not_json_says_where(tmp_path: Path, content: bytes, message: str) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(content)

    result = invoke(str(export), "--team", "pay")

    assert result.exit_code == 1
    assert result.stderr == f"{export}{message}"


def test_export_problems_are_listed_and_nothing_is_written(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"checks": [{"id": 1, "name": "a", "type": "htp"}, {"id": 2, "type": "tcp"}]}))
    output = tmp_path / "out.yaml"

    result = invoke(str(export), "--team", "pay", "-o", str(output))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{export}: checks[0].type: unknown Pingdom check type 'htp' (did you mean 'http'?)",
        f"{export}: checks[1]: 'name' is missing",
        "2 problems in the export; nothing was written",
    ]
    assert not output.exists()


def test_a_missing_file_is_a_message(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.json"), "--team", "pay")

    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.json'}: cannot read: No such file or directory\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Pay Team"], "Invalid value for '--team': 'Pay Team' is not a catalog id"),
        (["--team", "pay", "--platform", "PaaS!"], "Invalid value for '--platform': 'PaaS!' is not a catalog id"),
        ([], "Missing option '--team'"),
        (["--team", "pay", "--group-by", "owner"], "Invalid value for '--group-by'"),
    ],
)
def test_bad_options_exit_2_with_the_reason(args: list[str], message: str) -> None:
    result = invoke(str(DETAILED), *args)

    assert result.exit_code == 2
    assert message in result.stderr


def test_the_installed_command_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text('{"check": {"id": 5, "name": "x", "hostname": "h", "type": {"tcp": {"port": "x"}}}}')
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}

    result = subprocess.run(
        [sys.executable, "-m", "watchkeeper", "import", "pingdom", str(export), "--team", "pay"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "check.type.tcp.port: expected a whole number, found text 'x'" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""

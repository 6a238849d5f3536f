"""`watchkeeper check` as a user runs it, against local targets."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from watchkeeper.cli.main import cli


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    return subprocess.run(
        [sys.executable, "-m", "watchkeeper", "check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_an_ad_hoc_url_that_answers_exits_0_with_timings(targets):
    result = run("--url", targets.http + "/ok", "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["state"] == "up"
    assert report["reason"].startswith("HTTP 200 in ")
    assert {"connect", "first_byte", "total"} <= set(report["timings"])
    assert report["certificate"] is None


def test_a_failing_url_exits_1_and_says_why(targets):
    result = run("--url", targets.http + "/status/500")

    assert result.returncode == 1
    assert result.stdout.startswith(f"DOWN  ad-hoc (http): HTTP 500 from {targets.http}/status/500")


def test_https_reports_the_certificate_in_json(targets, tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        f"      - {{id: site, type: http, url: '{targets.https}/ok', ca_bundle: '{targets.ca_bundle}'}}\n"
    )

    result = run("--catalog", str(catalog), "--id", "site", "--json")

    assert result.returncode == 0, result.stdout + result.stderr
    certificate = json.loads(result.stdout)["certificate"]
    assert "localhost" in certificate["names"]
    assert certificate["key_bits"] > 0


def test_mistakes_in_the_arguments_are_messages(targets, tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("teams:\n  - {id: t, name: T}\n")

    neither = run()
    unknown = run("--catalog", str(catalog), "--id", "site")
    bad_url = run("--url", "ftp://example.test/")

    assert neither.returncode == 1
    assert "give --url, or --catalog and --id" in neither.stderr
    assert "no check 'site'" in unknown.stderr
    assert bad_url.returncode == 1
    assert "--url: 'ftp://example.test/' is not an http:// or https:// URL" in bad_url.stderr


def test_the_timeout_takes_seconds_or_a_duration_as_in_the_catalog(targets):
    minute = run("--url", targets.http + "/ok", "--timeout", "1m")
    seconds = run("--url", f"http://127.0.0.1:{targets.silent}/", "--timeout", "1.5", "--json")
    duration = run("--url", f"http://127.0.0.1:{targets.silent}/", "--timeout", "1500ms", "--json")

    assert json.loads(seconds.stdout)["reason"] == "timed out after 1.5 s waiting for the first byte"
    assert json.loads(duration.stdout)["reason"] == "timed out after 1.5 s waiting for the first byte"
    assert minute.returncode == 0, minute.stderr


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("soon", "'soon' is not a duration"),
        ("0.01", "0.01 is not between 0.1 s and 5 min"),
        ("10m", "10m is not between 0.1 s and 5 min"),
        ("inf", "inf is not between 0.1 s and 5 min"),
    ],
)
def test_a_timeout_that_is_not_a_length_of_time_is_a_message(given, message):
    result = CliRunner().invoke(cli, ["check", "--url", "http://127.0.0.1:1/", "--timeout", given])

    assert result.exit_code == 2
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_ipv6_address_needs_its_brackets(ipv6_closed_port):
    bare = run("--url", f"http://::1:{ipv6_closed_port}/")
    bracketed = run("--url", f"http://[::1]:{ipv6_closed_port}/")

    assert bare.returncode == 1
    assert "has an IPv6 address without brackets" in bare.stderr
    assert "http://[::1]:8080/" in bare.stderr
    assert "Traceback" not in bare.stderr
    assert bracketed.returncode == 1
    assert bracketed.stdout.startswith(f"DOWN  ad-hoc (http): connection refused by [::1]:{ipv6_closed_port}")

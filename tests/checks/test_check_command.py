"""`watchkeeper check` as a user runs it, against local targets."""

import json
import os
import subprocess
import sys


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

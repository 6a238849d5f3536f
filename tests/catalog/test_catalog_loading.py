"""The contract example loads, and what it loads into matches what the YAML says."""

from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from watchkeeper.catalog import Catalog, CatalogInvalid, Problem, load_catalog
from watchkeeper.checks.dns import DnsCheck
from watchkeeper.checks.heartbeat import HeartbeatCheck
from watchkeeper.checks.http import HttpCheck
from watchkeeper.checks.tcp import TcpCheck
from watchkeeper.checks.tls import TlsCheck

EXAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "examples" / "catalog"
RE = "teams/reliability-engineering.yaml"
CHECK_CLASSES = {
    "http": HttpCheck,
    "tcp": TcpCheck,
    "dns": DnsCheck,
    "tls": TlsCheck,
    "heartbeat": HeartbeatCheck,
}


def raw_items(section: str) -> list[dict[str, Any]]:
    """Every item of `section` across the example's files, read with plain PyYAML, not the loader."""
    items: list[dict[str, Any]] = []
    for file in sorted(EXAMPLE.rglob("*.yaml")):
        items.extend(yaml.safe_load(file.read_text(encoding="utf-8")).get(section) or [])
    return items


def raw_checks() -> list[dict[str, Any]]:
    subjects = raw_items("platforms") + raw_items("services")
    return [check for subject in subjects for check in subject.get("checks", [])]


@pytest.fixture(scope="module")
def example() -> Catalog:
    return load_catalog(EXAMPLE, check_secrets=False)


def test_the_example_loads_without_secrets(example: Catalog) -> None:
    assert isinstance(example, Catalog)
    written = yaml.safe_load((EXAMPLE / "organisation.yaml").read_text())["organisation"]
    assert example.organisation.name == written["name"]


def test_the_example_loads_with_secrets_when_every_variable_is_set(all_secrets: dict[str, str]) -> None:
    catalog = load_catalog(EXAMPLE, environ=all_secrets, check_secrets=True)
    assert catalog.secrets == sorted(all_secrets)


def test_the_example_has_as_many_teams_people_services_platforms_and_checks_as_its_yaml(
    example: Catalog,
) -> None:
    teams = raw_items("teams")
    assert [t.id for t in example.teams] == [t["id"] for t in teams]
    assert len(list(example.people())) == sum(len(t.get("people", [])) for t in teams)
    assert [s.id for s in example.services] == [s["id"] for s in raw_items("services")]
    assert [p.id for p in example.platforms] == [p["id"] for p in raw_items("platforms")]
    assert sorted(c.id for _, c in example.checks()) == sorted(c["id"] for c in raw_checks())
    assert len(example.status_pages) == len(raw_items("status_pages"))
    assert len(example.data_sources) == len(raw_items("data_sources"))


def test_the_summary_counts_agree_with_the_yaml(example: Catalog) -> None:
    teams = raw_items("teams")
    summary = example.summary()
    assert summary["teams"] == len(teams)
    assert summary["people"] == sum(len(t.get("people", [])) for t in teams)
    assert summary["platforms"] == len(raw_items("platforms"))
    assert summary["services"] == len(raw_items("services"))
    assert summary["checks"] == len(raw_checks())
    assert summary["schedules"] == sum(len(t.get("schedules", [])) for t in teams)
    assert summary["service_levels"] == sum(len(s.get("service_levels", [])) for s in raw_items("services"))


def test_every_check_is_an_instance_of_its_types_model(example: Catalog) -> None:
    written = {c["id"]: c["type"] for c in raw_checks()}
    assert {written[c.id] for _, c in example.checks()} == set(CHECK_CLASSES)  # the example uses every type
    for _, check in example.checks():
        assert type(check) is CHECK_CLASSES[written[check.id]], check.id
        assert check.type == written[check.id]


def test_checks_belong_to_the_platform_or_service_that_lists_them(example: Catalog) -> None:
    subjects = raw_items("platforms") + raw_items("services")
    written = {check["id"]: subject["id"] for subject in subjects for check in subject.get("checks", [])}
    assert {check.id: subject.id for subject, check in example.checks()} == written


def test_check_fields_are_typed_values(example: Catalog) -> None:
    checks = {c.id: c for _, c in example.checks()}
    paas_api = checks["paas-api"]
    assert isinstance(paas_api, HttpCheck)
    assert paas_api.interval == timedelta(seconds=30)
    assert paas_api.expect.max_response_time == timedelta(seconds=2)
    certificate = checks["paas-router-certificate"]
    assert isinstance(certificate, TlsCheck)
    assert certificate.expiry.warn == pytest.approx(30.0)
    assert certificate.expiry.critical == timedelta(days=7)
    heartbeat = checks["pay-reconciliation"]
    assert isinstance(heartbeat, HeartbeatCheck)
    assert heartbeat.schedule == "0 2 * * *"
    assert heartbeat.grace == timedelta(minutes=30)


def test_a_check_without_an_interval_gets_the_default_and_a_tls_check_its_own(example: Catalog) -> None:
    checks = {c.id: c for _, c in example.checks()}
    assert "interval" not in next(c for c in raw_checks() if c["id"] == "notify-api-status")
    assert checks["notify-api-status"].interval == timedelta(minutes=1)
    assert checks["pay-frontend-certificate"].interval == timedelta(hours=1)


def test_service_level_objectives_are_percentages_and_windows_durations(example: Catalog) -> None:
    levels = {level.id: level for service in example.services for level in service.service_levels}
    assert levels["pay-frontend-availability"].objective == pytest.approx(99.95)
    assert levels["pay-frontend-availability"].window == timedelta(days=28)
    assert levels["pay-frontend-latency"].indicator.latency_below == timedelta(seconds=1)


def test_the_example_lists_every_secret_it_names(example: Catalog, example_secret_names: set[str]) -> None:
    expected = example_secret_names
    assert expected  # the example does use secrets
    assert example.secrets == sorted(expected)


def test_the_catalog_keeps_secret_references_and_never_their_values(all_secrets: dict[str, str]) -> None:
    catalog = load_catalog(EXAMPLE, environ=all_secrets, check_secrets=True)
    dumped = catalog.model_dump_json()
    for name, value in all_secrets.items():
        assert value not in dumped
        assert "${" + name + "}" in dumped
    channels = {channel.id: channel for team in catalog.teams for channel in team.channels}
    assert channels["pay-slack"].webhook_url == "${PAY_SLACK_WEBHOOK_URL}"
    assert catalog.data_sources[0].bearer_token == "${PROMETHEUS_TOKEN}"


def test_secret_values_do_not_change_the_digest(all_secrets: dict[str, str], example: Catalog) -> None:
    with_values = load_catalog(EXAMPLE, environ=all_secrets, check_secrets=True)
    assert with_values.digest() == example.digest()


def test_times_stay_strings_in_yaml_so_unquoted_times_load_like_quoted_ones(catalog) -> None:
    catalog.replace("organisation.yaml", 'start: "09:30"\n    end: "17:30"', "start: 09:30\n    end: 17:30")
    catalog.replace("platforms.yaml", 'start: "06:00"', "start: 06:00")
    catalog.replace(RE, 'from: "17:30", to: "09:30"', "from: 17:30, to: 09:30")
    loaded = catalog.load()
    assert loaded.organisation.support_hours.start == time(9, 30)
    assert loaded.organisation.support_hours.end == time(17, 30)
    assert loaded.platforms[1].maintenance[0].start == time(6, 0)
    [reliability] = [team for team in loaded.teams if team.id == "reliability-engineering"]
    restriction = reliability.schedules[0].layers[1].restrict[0]
    assert (restriction.from_, restriction.to) == (time(17, 30), time(9, 30))


def test_only_true_and_false_are_booleans_so_yes_no_and_times_stay_text_in_labels(catalog) -> None:
    labels = "labels: {country: no, paged: yes, switch: on, window: 17:30}"
    catalog.replace("platforms.yaml", "        interval: 1m\n", f"        interval: 1m\n        {labels}\n")
    aws_endpoint = catalog.load().platforms[0].checks[0]
    assert aws_endpoint.labels == {"country": "no", "paged": "yes", "switch": "on", "window": "17:30"}


def test_true_in_a_text_field_is_a_boolean_and_is_reported(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "        port: 443\n        interval: 1m\n",
        "        port: 443\n        labels: {x: true}\n",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", "labels: {x: true}")
    assert "labels.x" in problem.message
    assert "True" in problem.message


def test_a_single_file_loads_on_its_own(tmp_path: Path) -> None:
    file = tmp_path / "catalog.yml"
    file.write_text(
        "teams:\n  - id: solo\n    name: Solo\n    platform_team: true\n"
        "platforms:\n  - id: metal\n    name: Metal\n    owner: solo\n",
        encoding="utf-8",
    )
    catalog = load_catalog(file)
    assert [t.id for t in catalog.teams] == ["solo"]
    assert [p.owner for p in catalog.platforms] == ["solo"]
    assert catalog.secrets == []


def test_a_single_file_is_named_in_problems_as_it_was_given(tmp_path: Path) -> None:
    file = tmp_path / "catalog.yaml"
    file.write_text("services:\n  - id: lonely\n    name: Lonely\n    owner: nobody\n", encoding="utf-8")
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(file)
    [problem] = raised.value.problems
    assert problem == Problem(str(file), 4, "owner of service 'lonely': unknown team 'nobody'", None)


def test_lists_merge_across_yml_and_yaml_files_in_subdirectories(catalog) -> None:
    person = "{id: zed, name: Zed, email: zed@example.org}"
    team = f"  - id: extra\n    name: Extra\n    people:\n      - {person}\n"
    catalog.write("more/extra-team.yml", f"teams:\n{team}")
    loaded = catalog.load()
    assert "extra" in [t.id for t in loaded.teams]
    assert "zed" in [p.id for _, p in loaded.people()]


def test_hidden_files_and_files_that_are_not_yaml_are_ignored(catalog) -> None:
    catalog.write(".git/broken.yaml", "teams: [this is not: valid")
    catalog.write(".draft.yaml", "nonsense: true\n")
    catalog.write("README.md", "teams:\n  - not a team\n")
    assert catalog.load().summary() == load_catalog(EXAMPLE, check_secrets=False).summary()


def test_an_empty_file_adds_nothing(catalog) -> None:
    catalog.write("empty.yaml", "# nothing here yet\n")
    assert catalog.load().summary() == load_catalog(EXAMPLE, check_secrets=False).summary()


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(tmp_path / "nowhere")
    [problem] = raised.value.problems
    assert problem.file == str(tmp_path / "nowhere")
    assert "no such file or directory" in problem.message


def test_a_directory_without_yaml_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("teams: []\n", encoding="utf-8")
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(tmp_path)
    [problem] = raised.value.problems
    assert problem.file == str(tmp_path)
    assert "no .yaml or .yml files" in problem.message


def test_a_catalog_without_an_organisation_gets_the_default_one(catalog) -> None:
    organisation_file = catalog.text("organisation.yaml")
    catalog.write("organisation.yaml", organisation_file[organisation_file.index("data_sources:") :])
    loaded = catalog.load()
    assert loaded.organisation.timezone == "UTC"
    assert loaded.organisation.name != "Government Digital Service"


def test_a_file_that_is_not_a_mapping_is_reported_on_its_first_line(catalog) -> None:
    catalog.write("list.yaml", "- teams\n- services\n")
    [problem] = catalog.problems()
    assert (problem.file, problem.line) == (catalog.file("list.yaml"), 1)
    assert "a catalog file is a mapping" in problem.message


def test_a_section_that_is_not_a_list_is_reported(catalog) -> None:
    catalog.write("odd.yaml", "# a comment\nservices:\n  id: odd\n")
    [problem] = catalog.problems()
    assert (problem.file, problem.line) == (
        catalog.file("odd.yaml"),
        catalog.line_of("odd.yaml", "services:"),
    )
    assert problem.message == "'services' must be a list of items"

"""`${VAR}` secret references: checked for form always, for a value only when asked, and never stored."""

from pathlib import Path

import pytest

from watchkeeper.catalog import load_catalog

PAY = "teams/pay.yaml"
Env = dict[str, str]


def without(environ: Env, name: str) -> Env:
    return {key: value for key, value in environ.items() if key != name}


def test_a_missing_secret_names_the_variable_and_its_file_variable(catalog, all_secrets: Env) -> None:
    [problem] = catalog.problems(environ=without(all_secrets, "PAY_WEBHOOK_SECRET"), check_secrets=True)
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "${PAY_WEBHOOK_SECRET}")
    assert "PAY_WEBHOOK_SECRET" in problem.message
    assert "PAY_WEBHOOK_SECRET_FILE" in problem.message
    assert problem.message.startswith("secret PAY_WEBHOOK_SECRET is not set")
    assert problem.hint is not None
    assert "without secrets" in problem.hint


def test_every_missing_secret_is_reported_on_its_own_line(catalog, example_secret_names: set[str]) -> None:
    problems = catalog.problems(environ={}, check_secrets=True)
    assert len(problems) == len(example_secret_names)
    for problem in problems:
        name = problem.message.split()[1]
        assert name in example_secret_names
        relative = Path(problem.file).relative_to(catalog.root).as_posix()
        assert problem.line == catalog.line_of(relative, "${" + name + "}")


def test_a_secret_used_inside_a_longer_string_is_checked(catalog, all_secrets: Env) -> None:
    [problem] = catalog.problems(environ=without(all_secrets, "PAY_API_HEALTH_TOKEN"), check_secrets=True)
    assert problem.line == catalog.line_of(PAY, "Authorization: Bearer ${PAY_API_HEALTH_TOKEN}")
    assert "PAY_API_HEALTH_TOKEN" in problem.message


def test_secrets_in_the_organisation_and_status_pages_are_checked_too(catalog, all_secrets: Env) -> None:
    catalog.replace("organisation.yaml", "name: Government Digital Service", "name: ${ORG_NAME}")
    catalog.replace("status-pages.yaml", "title: GDS platform status", "title: ${PUBLIC_TITLE}")
    problems = catalog.problems(environ=all_secrets, check_secrets=True)
    assert sorted((p.file, p.line, p.message.split()[1]) for p in problems) == [
        (catalog.file("organisation.yaml"), catalog.line_of("organisation.yaml", "${ORG_NAME}"), "ORG_NAME"),
        (
            catalog.file("status-pages.yaml"),
            catalog.line_of("status-pages.yaml", "${PUBLIC_TITLE}"),
            "PUBLIC_TITLE",
        ),
    ]


def test_the_process_environment_is_used_when_no_environ_is_given(
    catalog, all_secrets: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in all_secrets.items():
        monkeypatch.setenv(name, value)
    assert catalog.load(check_secrets=True).secrets == sorted(all_secrets)
    monkeypatch.delenv("ZENDESK_API_TOKEN")
    [problem] = catalog.problems(check_secrets=True)
    assert "ZENDESK_API_TOKEN" in problem.message


def test_a_secret_can_be_read_from_its_var_file(catalog, all_secrets: Env, tmp_path: Path) -> None:
    token_file = tmp_path / "prometheus-token"
    token_file.write_text("s3cret-from-a-file\n", encoding="utf-8")
    environ = without(all_secrets, "PROMETHEUS_TOKEN") | {"PROMETHEUS_TOKEN_FILE": str(token_file)}
    loaded = catalog.load(environ=environ, check_secrets=True)
    assert "PROMETHEUS_TOKEN" in loaded.secrets
    assert loaded.data_sources[0].bearer_token == "${PROMETHEUS_TOKEN}"
    assert "s3cret-from-a-file" not in loaded.model_dump_json()


def test_a_var_file_that_does_not_exist_is_reported(catalog, all_secrets: Env, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-token"
    environ = without(all_secrets, "PROMETHEUS_TOKEN") | {"PROMETHEUS_TOKEN_FILE": str(missing)}
    [problem] = catalog.problems(environ=environ, check_secrets=True)
    assert problem.file == catalog.file("organisation.yaml")
    assert problem.line == catalog.line_of("organisation.yaml", "${PROMETHEUS_TOKEN}")
    assert "PROMETHEUS_TOKEN" in problem.message


def test_a_var_file_that_does_not_exist_is_named_rather_than_called_unset(
    catalog, all_secrets: Env, tmp_path: Path
) -> None:
    # PROMETHEUS_TOKEN_FILE is set, so "set PROMETHEUS_TOKEN or PROMETHEUS_TOKEN_FILE" would mislead:
    # the person needs to know that the file it names cannot be read.
    missing = tmp_path / "no-such-token"
    environ = without(all_secrets, "PROMETHEUS_TOKEN") | {"PROMETHEUS_TOKEN_FILE": str(missing)}
    [problem] = catalog.problems(environ=environ, check_secrets=True)
    assert str(missing) in str(problem)


def test_the_variable_itself_wins_over_its_file(catalog, all_secrets: Env, tmp_path: Path) -> None:
    environ = all_secrets | {"PROMETHEUS_TOKEN_FILE": str(tmp_path / "not-needed")}
    assert "PROMETHEUS_TOKEN" in catalog.load(environ=environ, check_secrets=True).secrets


def test_without_secret_checks_missing_values_are_fine_but_the_names_are_still_listed(
    catalog, example_secret_names: set[str]
) -> None:
    loaded = catalog.load(environ={}, check_secrets=False)
    assert loaded.secrets == sorted(example_secret_names)


@pytest.mark.parametrize("check_secrets", [True, False])
def test_a_lower_case_reference_is_malformed_whether_or_not_secrets_are_checked(
    catalog, all_secrets: Env, check_secrets: bool
) -> None:
    catalog.replace(PAY, "${PAY_WEBHOOK_SECRET}", "${pay_webhook_secret}")
    [problem] = catalog.problems(environ=all_secrets, check_secrets=check_secrets)
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "${pay_webhook_secret}")
    assert problem.message == "'${pay_webhook_secret}' is not a secret reference"
    assert problem.hint is not None
    assert "$${" in problem.hint
    assert "capitals" in problem.hint


MALFORMED = ["${}", "${PAY WEBHOOK}", "${1PAY}", "${PAY-SECRET}", "${PAY_WEBHOOK_SECRET"]


@pytest.mark.parametrize("written", MALFORMED)
def test_malformed_references_are_reported_as_written(catalog, written: str) -> None:
    catalog.replace(PAY, "${PAY_WEBHOOK_SECRET}", f'"{written}"')
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, written)
    assert problem.message == f"'{written}' is not a secret reference"


def test_each_malformed_reference_in_a_file_is_reported(catalog) -> None:
    catalog.replace(PAY, "${PAY_WEBHOOK_SECRET}", "${pay_webhook_secret}")
    catalog.replace(PAY, "Payments API\n", "Payments API\n    description: ${NOT CLOSED\n")
    problems = catalog.problems()
    assert len(problems) == 2
    assert all("is not a secret reference" in p.message for p in problems)


def test_a_doubled_dollar_writes_a_literal_and_is_not_a_secret(catalog, all_secrets: Env) -> None:
    catalog.replace(PAY, "${PAY_WEBHOOK_SECRET}", '"price: $${AMOUNT} and ${PAY_WEBHOOK_SECRET}"')
    catalog.replace(PAY, "Payments API\n", "Payments API\n    description: costs $${lower}\n")
    loaded = catalog.load(environ=all_secrets, check_secrets=True)
    assert "AMOUNT" not in loaded.secrets
    assert "lower" not in loaded.secrets
    assert "PAY_WEBHOOK_SECRET" in loaded.secrets
    [pay] = [team for team in loaded.teams if team.id == "pay"]
    [webhook] = [channel for channel in pay.channels if channel.id == "pay-webhook"]
    assert webhook.secret == "price: $${AMOUNT} and ${PAY_WEBHOOK_SECRET}"


def test_a_secret_named_twice_is_listed_once(catalog, all_secrets: Env) -> None:
    catalog.replace(PAY, "${PAY_PAGERDUTY_ROUTING_KEY}", "${PAY_WEBHOOK_SECRET}")
    loaded = catalog.load(environ=all_secrets, check_secrets=True)
    assert loaded.secrets.count("PAY_WEBHOOK_SECRET") == 1
    assert "PAY_PAGERDUTY_ROUTING_KEY" not in loaded.secrets


def test_secret_values_never_reach_the_catalog(all_secrets: Env, example_dir: Path) -> None:
    loaded = load_catalog(example_dir, environ=all_secrets, check_secrets=True)
    for dumped in (loaded.model_dump_json(), repr(loaded), str(loaded.model_dump())):
        for value in all_secrets.values():
            assert value not in dumped


def test_a_url_field_may_hold_a_secret_reference(catalog, all_secrets: Env) -> None:
    # webhook_url is a URL field; "${PAY_SLACK_WEBHOOK_URL}" is not a URL until it is resolved.
    loaded = catalog.load(environ=all_secrets, check_secrets=True)
    [pay] = [team for team in loaded.teams if team.id == "pay"]
    assert pay.channels[0].webhook_url == "${PAY_SLACK_WEBHOOK_URL}"

"""Odd and hostile input: every mistake is one clear problem at its line, never a traceback, a hang, or a
silent acceptance of something the user did not mean."""

import time

import pytest

PAY = "teams/pay.yaml"
NOTIFY = "teams/notify.yaml"
RE = "teams/reliability-engineering.yaml"
PLATFORMS = "platforms.yaml"


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-02-30", "day is out of range for month"),
        ("0b_", "invalid literal for int()"),
        ("!custom text", "could not determine a constructor for the tag '!custom'"),
    ],
)
def test_a_value_yaml_cannot_read_is_one_problem_at_its_line(catalog, value, reason):
    catalog.replace(NOTIFY, "    name: GOV.UK Notify\n", f"    name: {value}\n")

    problem = only(catalog.problems())

    assert problem.line == catalog.line_of(NOTIFY, f"name: {value}")
    assert reason in problem.message
    assert problem.hint == "put it in quotes if it is text"


def test_merge_keys_let_explicit_keys_override(catalog):
    catalog.write(
        "teams/merged.yaml",
        "services:\n"
        "  - id: merged\n    name: Merged\n    owner: notify\n    checks:\n"
        "      - &base {id: merged-one, type: http, url: 'https://one.example', interval: 2m}\n"
        "      - <<: *base\n        id: merged-two\n        url: https://two.example\n",
    )

    checks = {c.id: c for s in catalog.load().services if s.id == "merged" for c in s.checks}

    assert set(checks) == {"merged-one", "merged-two"}
    assert checks["merged-two"].url == "https://two.example"
    assert checks["merged-two"].interval.total_seconds() == 120  # inherited from the anchor


def test_an_alias_cycle_is_reported_not_followed(catalog):
    catalog.write("loop.yaml", "status_pages: &pages [*pages]\n")

    problem = only(catalog.problems())

    assert problem.message == "an alias refers to the collection that contains it"


def test_an_alias_bomb_is_refused_quickly(catalog):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    catalog.write("bomb.yaml", "\n".join(lines) + "\n")

    started = time.monotonic()
    problem = only(catalog.problems())

    assert time.monotonic() - started < 5
    assert "aliases expand to far more data than it holds" in problem.message


def test_an_enormous_duration_is_a_message_not_an_overflow(catalog):
    catalog.replace(PAY, "grace: 30m", "grace: 99999999999w")

    problem = only(catalog.problems())

    assert "longer than any duration Watchkeeper can use" in problem.message


def test_a_dependency_listed_twice_is_reported(catalog):
    catalog.replace(PAY, "depends_on: [pay-api]", "depends_on: [pay-api, pay-api]")

    problem = only(catalog.problems())

    assert problem.message == "depends_on 'pay-api' is given twice"


def test_two_capacity_signals_with_one_id_are_reported(catalog):
    catalog.replace(PAY, "        - id: cpu\n", "        - id: requests\n")

    problem = only(catalog.problems())

    assert problem.message == "capacity signal id 'requests' is given twice"
    assert problem.line == catalog.line_of(PAY, "        - id: requests\n          name: CPU use")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("platform_team: true", 'platform_team: "yes"', "input should be a valid boolean"),
        ("public: true", "public: 1", "input should be a valid boolean"),
        ("port: 465", 'port: "465"', "input should be a valid integer"),
        ("down_after: 2", "down_after: 2.0", "input should be a valid integer"),
    ],
)
def test_values_of_the_wrong_type_are_not_coerced(catalog, old, new, expected):
    name = next(n for n in (RE, NOTIFY, PLATFORMS, "status-pages.yaml") if old in catalog.text(n))
    catalog.replace(name, old, new)

    problem = only(catalog.problems())

    assert expected in problem.message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("body_contains: ok", 'body_regex: "(unclosed"', "body_regex is not a regular expression"),
        ("interval: 1m\n        severity: page", "interval: 0s\n        severity: page", "must be longer than zero"),
        (
            "interval: 30s\n        timeout: 10s\n        expect:\n          status: [200]\n          body_contains",
            "interval: 30s\n        timeout: 45s\n        expect:\n          status: [200]\n          body_contains",
            "timeout (45 s) is longer than interval (30 s)",
        ),
        ('recurrence: "FREQ=WEEKLY;BYDAY=TU"', 'recurrence: "FREQ=DAILY;INTERVAL=0"', "INTERVAL must be 1 or more"),
        ('recurrence: "FREQ=WEEKLY;BYDAY=TU"', 'recurrence: "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"', "never happens"),
        ('schedule: "0 2 * * *"', 'schedule: "0 2 * * * *"', "give five fields"),
        (
            "url: https://api.cloud.example.gov.uk/v2/info",
            "url: https://api.cloud.example.gov.uk:99999/v2/info",
            "is not an http:// or https:// URL",
        ),
    ],
)
def test_values_that_would_misbehave_later_are_refused_now(catalog, old, new, expected):
    name = next(n for n in (PAY, PLATFORMS, RE) if old in catalog.text(n))
    catalog.replace(name, old, new)

    problem = only(catalog.problems())

    assert expected in problem.message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "- path: $.api_version",
            '- path: "$[?(@.x"',
            "checks[paas-api].expect.json[0].path: path '$[?(@.x' is not a JSONPath: unbalanced parentheses",
        ),
        (
            "body_contains: ok",
            'body_regex: "(?<name"',
            "expect.body_regex: body_regex is not a regular expression: ",
        ),
        (
            "url: https://api.cloud.example.gov.uk/v2/info",
            "url: http://::1:8080/v2/info",
            "'http://::1:8080/v2/info' has an IPv6 address without brackets: write the address in square brackets",
        ),
    ],
)
def test_an_expectation_that_could_never_be_tested_is_refused_at_its_line(catalog, old, new, expected):
    name = next(n for n in (PAY, PLATFORMS) if old in catalog.text(n))
    catalog.replace(name, old, new)

    problem = only(catalog.problems())

    assert expected in problem.message
    assert (problem.file, problem.line) == (catalog.file(name), catalog.line_of(name, new.split(": ", 1)[1]))


def test_cron_names_such_as_daily_are_understood(catalog):
    catalog.replace(PAY, 'schedule: "0 2 * * *"', 'schedule: "@daily"')

    checks = {check.id: check for _, check in catalog.load().checks()}

    assert checks["pay-reconciliation"].schedule == "@daily"


def test_control_characters_in_text_are_refused(catalog):
    catalog.replace(NOTIFY, "    name: GOV.UK Notify\n", '    name: "GOV.UK\\0Notify"\n')

    problem = only(catalog.problems())

    assert problem.message == "text holds a control character"
    assert problem.line == catalog.line_of(NOTIFY, 'name: "GOV.UK')


def test_upper_case_extensions_are_read_and_broken_links_reported(catalog):
    catalog.write("teams/extra.YAML", "teams:\n  - id: extra\n    name: Extra\n    platform_team: maybe\n")
    (catalog.root / "teams" / "gone.yaml").symlink_to(catalog.root / "nowhere.yaml")

    problems = catalog.problems()

    assert {p.file for p in problems} == {catalog.file("teams/extra.YAML"), catalog.file("teams/gone.yaml")}
    assert any("cannot read the file: No such file or directory" in p.message for p in problems)


def test_a_union_reports_only_the_fitting_member(catalog):
    catalog.replace(RE, "      - match: {severity: ticket}", "      - match: {severity: tiket}")

    problem = only(catalog.problems())

    assert problem.message.endswith("'tiket' is not one of: page, ticket, info")
    assert problem.hint == "did you mean 'ticket'?"


def test_a_mistyped_field_name_is_one_problem_not_also_a_missing_field(catalog):
    catalog.replace(PAY, "        webhook_url: ${PAY_SLACK_WEBHOOK_URL}", "        webhook: ${PAY_SLACK_WEBHOOK_URL}")

    problem = only(catalog.problems())

    assert problem.message.endswith("unknown field 'webhook'")
    assert problem.hint == "did you mean 'webhook_url'?"


def test_every_bad_status_is_named_at_once(catalog):
    catalog.replace(NOTIFY, "          status: [200]", '          status: [99, "600", "200-100", "abc"]')

    problem = only(catalog.problems())

    assert "status 99, '600', '200-100', 'abc'" in problem.message


def test_hints_ignore_case_and_paths_get_a_plain_message(catalog):
    catalog.replace(PAY, "        method: GET", "        method: get")
    catalog.replace(PAY, "            - path: $.database.healthy", "            - path: database.healthy")

    messages = {p.message: p.hint for p in catalog.problems()}

    method = "service 'pay-api', checks[pay-api-health].method: 'get' is not one of: "
    assert messages[method + "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"] == "did you mean 'GET'?"
    assert any("is not a JSONPath: start it with $" in m for m in messages)


def test_naming_some_incident_priorities_keeps_the_others(catalog):
    text = catalog.text("organisation.yaml")
    start = text.index("  incident_priorities:")
    end = text.index("\n\n", start)
    catalog.write(
        "organisation.yaml",
        text[:start]
        + "  incident_priorities:\n    P1: {name: Critical, respond_within: 15m, update_every: 30m}"
        + text[end:],
    )

    priorities = catalog.load().organisation.incident_priorities

    assert sorted(priorities) == ["P1", "P2", "P3", "P4"]
    assert priorities["P1"].respond_within.total_seconds() == 900


def test_support_hours_need_at_least_one_day(catalog):
    catalog.replace("organisation.yaml", "days: [mon, tue, wed, thu, fri]", "days: []")

    problem = only(catalog.problems())

    assert "support_hours.days" in problem.message

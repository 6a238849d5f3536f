"""Problems with fields and files: each names the file, the line, what is wrong and, where it can, a fix."""

from pathlib import Path

import pytest

from watchkeeper.catalog import CatalogInvalid, Problem, load_catalog

PAY = "teams/pay.yaml"
NOTIFY = "teams/notify.yaml"
RE = "teams/reliability-engineering.yaml"


# Problem and CatalogInvalid


def test_a_problem_reads_as_file_line_message_and_hint() -> None:
    assert str(Problem("a.yaml", 7, "unknown team 'pya'", "did you mean 'pay'?")) == (
        "a.yaml:7: unknown team 'pya' (did you mean 'pay'?)"
    )
    assert str(Problem("a.yaml", 7, "unknown team 'x'")) == "a.yaml:7: unknown team 'x'"
    assert str(Problem("a.yaml", 0, "cannot read the file")) == "a.yaml: cannot read the file"


def test_the_report_lists_every_problem_then_counts_them() -> None:
    problems = [Problem("b.yaml", 2, "second"), Problem("a.yaml", 9, "first", "a hint")]
    error = CatalogInvalid(problems)
    assert error.report().splitlines() == [
        "a.yaml:9: first (a hint)",
        "b.yaml:2: second",
        "2 problems in the catalog",
    ]
    assert CatalogInvalid(problems[:1]).report().splitlines()[-1] == "1 problem in the catalog"


def test_problems_are_sorted_by_file_then_by_line_as_a_number() -> None:
    error = CatalogInvalid([Problem("b.yaml", 1, "x"), Problem("a.yaml", 10, "y"), Problem("a.yaml", 9, "z")])
    assert [(p.file, p.line) for p in error.problems] == [("a.yaml", 9), ("a.yaml", 10), ("b.yaml", 1)]


def test_several_problems_in_several_files_are_all_reported_at_once_sorted_by_file_then_line(catalog) -> None:
    catalog.replace(RE, "Europe/London\n        notify:", "Europe/Lodnon\n        notify:")
    catalog.replace(PAY, "objective: 99%", "objective: 99")
    catalog.replace(
        PAY,
        "    owner: pay\n    platform: paas\n    checks",
        "    owner: pya\n    platform: paas\n    checks",
    )
    catalog.replace("platforms.yaml", "interval: 30s", "interval: 30 seconds")
    catalog.replace("status-pages.yaml", "{platform: aws, name: AWS}", "{platform: awz, name: AWS}")
    with pytest.raises(CatalogInvalid) as raised:
        catalog.load()
    problems = raised.value.problems
    expected = [
        (catalog.file("platforms.yaml"), catalog.line_of("platforms.yaml", "interval: 30 seconds")),
        (catalog.file("status-pages.yaml"), catalog.line_of("status-pages.yaml", "platform: awz")),
        (catalog.file(PAY), catalog.line_of(PAY, "objective: 99\n")),
        (catalog.file(PAY), catalog.line_of(PAY, "owner: pya")),
        (catalog.file(RE), catalog.line_of(RE, "Europe/Lodnon")),
    ]
    assert [(p.file, p.line) for p in problems] == expected
    assert problems == sorted(problems, key=lambda p: (p.file, p.line))
    report = raised.value.report().splitlines()
    assert report[:-1] == [str(p) for p in problems]
    assert report[-1] == "5 problems in the catalog"
    assert str(raised.value) == "5 problems in the catalog"


# Check types


def test_unknown_check_type_suggests_the_closest_type(catalog) -> None:
    catalog.replace("platforms.yaml", "type: http", "type: htp")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", "- id: paas-api")
    assert problem.message == "platform 'paas', checks[paas-api]: unknown check type 'htp'"
    assert problem.hint == "did you mean 'http'?"


def test_unknown_check_type_far_from_any_type_lists_the_known_types(catalog) -> None:
    catalog.replace(NOTIFY, "        type: tcp\n", "        type: smtp-banner\n")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "- id: notify-smtp")
    assert "unknown check type 'smtp-banner'" in problem.message
    assert problem.hint is not None
    assert problem.hint.startswith("known types: ")
    assert set(problem.hint.removeprefix("known types: ").split(", ")) == {
        "dns",
        "heartbeat",
        "http",
        "tcp",
        "tls",
    }


def test_a_check_without_a_type_is_reported(catalog) -> None:
    catalog.replace(NOTIFY, "        type: tcp\n", "")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "- id: notify-smtp")
    assert problem.message == "service 'notify-api', checks[notify-smtp]: missing required field 'type'"


def test_a_field_of_another_check_type_is_unknown_with_a_hint_from_its_own_type(catalog) -> None:
    # 'sned' is close to 'send', which only tcp checks have: the hint comes from the check's own type.
    catalog.replace(NOTIFY, "        port: 465\n", "        port: 465\n        sned: EHLO\n")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "sned: EHLO")
    assert problem.message == "service 'notify-api', checks[notify-smtp].sned: unknown field 'sned'"
    assert problem.hint == "did you mean 'send'?"


def test_an_unknown_channel_type_suggests_the_closest_type(catalog) -> None:
    catalog.replace(PAY, "        type: pagerduty", "        type: pagerdty")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "- id: pay-pagerduty")
    assert problem.message == "team 'pay', channels[pay-pagerduty]: unknown channel type 'pagerdty'"
    assert problem.hint == "did you mean 'pagerduty'?"


# Durations, percentages and timezones


@pytest.mark.parametrize("written", ["30 seconds", "30x", "-5m", "1h-30m", "m"])
def test_a_bad_duration_names_the_field_and_shows_how_to_write_one(catalog, written: str) -> None:
    catalog.replace("platforms.yaml", "interval: 30s", f'interval: "{written}"')
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", f'interval: "{written}"')
    field = "platform 'paas', checks[paas-api].interval"
    assert problem.message.startswith(f"{field}: '{written}' is not a duration")
    assert "30s" in problem.message
    assert "15m" in problem.message


def test_a_number_without_a_unit_is_not_a_duration(catalog) -> None:
    catalog.replace(PAY, "grace: 30m", "grace: 30")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "grace: 30\n")
    field = "service 'pay-api', checks[pay-reconciliation].grace"
    assert problem.message.startswith(f"{field}: 30 is not a duration")
    assert "with a unit" in problem.message


def test_compound_and_fractional_durations_are_read_in_the_catalog(catalog) -> None:
    catalog.replace("platforms.yaml", "interval: 30s", "interval: 1h30m")
    catalog.replace(PAY, "grace: 30m", "grace: 1.5h")
    loaded = catalog.load()
    checks = {check.id: check for _, check in loaded.checks()}
    assert checks["paas-api"].interval == checks["pay-reconciliation"].grace
    assert checks["paas-api"].interval.total_seconds() == 90 * 60


def test_a_turn_shorter_than_an_hour_is_reported(catalog) -> None:
    catalog.replace(PAY, "            turn: 1w\n", "            turn: 30m\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert "a turn lasts at least an hour" in problem.message


@pytest.mark.parametrize("start", ["0001-01-01T00:00", "1970-12-31T23:00", "2201-01-01T00:00"])
def test_a_rota_layer_starting_outside_1971_to_2200_is_reported_on_its_line(catalog, start: str) -> None:
    """A placeholder start such as year 1 once loaded, and the on-call maths overflowed inside the engine's pass
    that flushes every group: no page of any route went out. The catalog refuses it where it is written."""
    catalog.replace(PAY, "          - start: 2026-01-07T09:30\n", f"          - start: {start}\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, f"start: {start}")
    assert "schedules[pay-on-call].layers[0]: a layer starts between 1971 and 2200" in problem.message


@pytest.mark.parametrize("timeout", ["100000000w", "8d", "30s"])
def test_an_ack_timeout_beyond_seven_days_or_under_a_minute_is_reported_on_its_policy(catalog, timeout: str) -> None:
    """`ack_timeout: 100000000w` once loaded, and once its alert was acknowledged the engine overflowed on every
    pass. The catalog refuses a timeout it cannot keep."""
    catalog.replace(PAY, "        repeat: 1\n", f"        repeat: 1\n        ack_timeout: {timeout}\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "- id: pay-default")
    assert "escalation_policies[pay-default]: ack_timeout is at least a minute and at most 7d" in problem.message


def test_a_percentage_without_a_percent_sign_is_reported(catalog) -> None:
    catalog.replace(PAY, "objective: 99.95%", "objective: 99.95")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "objective: 99.95\n")
    assert problem.message == (
        "service 'pay-frontend', service_levels[pay-frontend-availability].objective: "
        "99.95 is not a percentage: write it with a percent sign, such as 99.9%"
    )


def test_a_fraction_written_as_text_is_not_a_percentage(catalog) -> None:
    catalog.replace(PAY, "objective: 99.9%", 'objective: "0.999"')
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, 'objective: "0.999"')
    assert "'0.999' is not a percentage" in problem.message


def test_a_percentage_above_100_is_reported(catalog) -> None:
    catalog.replace(PAY, "objective: 99.9%", "objective: 199.9%")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "objective: 199.9%")
    assert "'199.9%' is more than 100%" in problem.message


def test_an_unknown_timezone_suggests_the_closest_zone(catalog) -> None:
    catalog.replace("platforms.yaml", "timezone: Europe/London", "timezone: Europe/Londn")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", "timezone: Europe/Londn")
    assert problem.message.startswith(
        "platform 'paas', maintenance[paas-weekly-patching].timezone: unknown timezone 'Europe/Londn'"
    )
    assert "did you mean 'Europe/London'?" in str(problem)


def test_an_unknown_organisation_timezone_is_reported_on_its_line(catalog) -> None:
    catalog.replace("organisation.yaml", "timezone: Europe/London", "timezone: Europe/Lundon")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("organisation.yaml")
    assert problem.line == catalog.line_of("organisation.yaml", "Europe/Lundon")
    assert "organisation, timezone: unknown timezone 'Europe/Lundon'" in problem.message
    assert "did you mean 'Europe/London'?" in str(problem)


def test_a_timezone_like_no_other_points_to_iana_names(catalog) -> None:
    catalog.replace(
        PAY,
        "timezone: Europe/London\n        layers:\n          - start: 2026-01-07",
        "timezone: Mars/Olympus\n        layers:\n          - start: 2026-01-07",
    )
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "Mars/Olympus")
    assert "unknown timezone 'Mars/Olympus'" in problem.message
    assert "IANA" in str(problem)


# Fields


def test_unknown_field_suggests_the_closest_field(catalog) -> None:
    catalog.replace(PAY, "escalation_policy: pay-default", "escalation_polcy: pay-default")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "escalation_polcy")
    assert problem.message == "team 'pay', routes[0].escalation_polcy: unknown field 'escalation_polcy'"
    assert problem.hint == "did you mean 'escalation_policy'?"


def test_unknown_field_deep_in_a_check_names_the_path_and_the_closest_field(catalog) -> None:
    catalog.replace("platforms.yaml", "          status: [200]", "          stauts: [200]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of("platforms.yaml", "stauts")
    assert problem.message == "platform 'paas', checks[paas-api].expect.stauts: unknown field 'stauts'"
    assert problem.hint == "did you mean 'status'?"


def test_unknown_field_on_a_status_page_component(catalog) -> None:
    catalog.replace("status-pages.yaml", "{service: pay-api, name", "{servce: pay-api, name")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("status-pages.yaml")
    assert problem.line == catalog.line_of("status-pages.yaml", "servce")
    assert "unknown field 'servce'" in problem.message
    assert problem.hint == "did you mean 'service'?"


def test_a_mistyped_field_of_a_check_indicator_is_the_only_problem(catalog) -> None:
    catalog.replace(PAY, "latency_below: 1s", "latency_blow: 1s")
    problems = catalog.problems()
    assert [(p.line, p.message, p.hint) for p in problems] == [
        (
            catalog.line_of(PAY, "latency_blow"),
            "service 'pay-frontend', service_levels[pay-frontend-latency].indicator.latency_blow: "
            "unknown field 'latency_blow'",
            "did you mean 'latency_below'?",
        )
    ]


def test_a_mistyped_field_of_a_prometheus_indicator_never_calls_its_correct_fields_unknown(catalog) -> None:
    catalog.replace(PAY, "          good: sum", "          god: sum")
    problems = catalog.problems()
    for problem in problems:
        assert "unknown field 'source'" not in problem.message, str(problem)
        assert "unknown field 'total'" not in problem.message, str(problem)
        if problem.hint and "did you mean" in problem.hint:
            assert problem.hint.split("'")[1] not in problem.message, f"hint repeats the field: {problem}"
    assert any(p.hint == "did you mean 'good'?" and p.line == catalog.line_of(PAY, "god:") for p in problems)


def test_missing_required_field_is_reported_at_the_item_that_lacks_it(catalog) -> None:
    catalog.replace(PAY, "        name: George Lin\n", "")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "- id: george")
    assert problem.message == "team 'pay', people[george]: missing required field 'name'"


def test_missing_required_field_of_a_check_type_is_reported(catalog) -> None:
    catalog.replace("platforms.yaml", "        url: https://api.cloud.example.gov.uk/v2/info\n", "")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of("platforms.yaml", "- id: paas-api")
    assert problem.message == "platform 'paas', checks[paas-api]: missing required field 'url'"


def test_an_invalid_id_says_what_an_id_may_contain(catalog) -> None:
    catalog.replace(NOTIFY, "      - id: notify-smtp\n", "      - id: Notify SMTP\n")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "Notify SMTP")
    assert "'Notify SMTP' is not a valid id" in problem.message
    assert "lower-case" in problem.message


def test_a_value_from_a_fixed_list_suggests_the_closest_one(catalog) -> None:
    catalog.replace(
        "platforms.yaml", "severity: ticket\n      - id: paas-dns", "severity: tciket\n      - id: paas-dns"
    )
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of("platforms.yaml", "tciket")
    assert "'tciket' is not one of: page, ticket, info" in problem.message
    assert problem.hint == "did you mean 'ticket'?"


# Files and sections


def test_bad_yaml_syntax_is_reported_on_the_line_where_it_is(catalog) -> None:
    catalog.replace(PAY, "    name: Payments API\n", "    name: Payments API: v2\n")
    problems = catalog.problems()
    [syntax] = [p for p in problems if p.file == catalog.file(PAY)]
    assert syntax.line == catalog.line_of(PAY, "Payments API: v2")
    assert syntax.message.startswith("invalid YAML: ")
    assert "mapping values are not allowed" in syntax.message


def test_a_tab_used_for_indentation_is_reported_on_its_line(catalog) -> None:
    catalog.replace(NOTIFY, "        name: Jonah Reid\n", "\tname: Jonah Reid\n")
    [syntax] = [p for p in catalog.problems() if p.file == catalog.file(NOTIFY)]
    assert syntax.line == catalog.line_of(NOTIFY, "\tname: Jonah Reid")
    assert syntax.message.startswith("invalid YAML: ")


def test_a_duplicate_yaml_key_is_reported_with_the_line_of_the_first(catalog) -> None:
    catalog.replace(PAY, "        name: George Lin\n", "        name: George Lin\n        name: George Lim\n")
    [duplicate] = [p for p in catalog.problems() if p.file == catalog.file(PAY)]
    assert duplicate.line == catalog.line_of(PAY, "name: George Lim")
    assert duplicate.message == "duplicate key 'name'"
    assert duplicate.hint == f"first given on line {catalog.line_of(PAY, 'name: George Lin')}"


def test_a_duplicate_yaml_key_does_not_also_make_the_rest_of_its_file_unknown(catalog) -> None:
    # The file parses; one key is given twice. Services defined in it must not be "unknown" elsewhere.
    catalog.replace(PAY, "        name: George Lin\n", "        name: George Lin\n        name: George Lim\n")
    problems = catalog.problems()
    assert [str(p) for p in problems if "unknown" in p.message] == []


def test_a_duplicate_section_in_one_file_is_a_duplicate_key(catalog) -> None:
    catalog.write("extra.yaml", "teams: []\nservices: []\nteams: []\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("extra.yaml")
    assert problem.line == 3
    assert problem.message == "duplicate key 'teams'"
    assert problem.hint == "first given on line 1"


def test_unknown_top_level_section_suggests_the_closest_section(catalog) -> None:
    catalog.write("checks.yaml", "# Extra checks\n\nservice:\n  - id: nope\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("checks.yaml")
    assert problem.line == catalog.line_of("checks.yaml", "service:")
    assert problem.message == "unknown section 'service'"
    assert problem.hint == "did you mean 'services'?"


def test_unknown_top_level_section_far_from_any_lists_the_sections(catalog) -> None:
    catalog.prepend("status-pages.yaml", "widgets: []\n")
    [problem] = catalog.problems()
    assert (problem.file, problem.line) == (catalog.file("status-pages.yaml"), 1)
    assert problem.message == "unknown section 'widgets'"
    assert problem.hint is not None
    for section in ("organisation", "data_sources", "platforms", "teams", "services", "status_pages"):
        assert section in problem.hint


def test_the_organisation_defined_twice_names_both_places(catalog) -> None:
    catalog.write("zz-organisation.yaml", "# again\norganisation:\n  name: Another\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("zz-organisation.yaml")
    assert problem.line == catalog.line_of("zz-organisation.yaml", "organisation:")
    assert problem.message == "the organisation is defined twice"
    first = catalog.line_of("organisation.yaml", "\norganisation:")
    assert problem.hint == f"also defined at {catalog.file('organisation.yaml')}:{first}"


def test_support_hours_that_end_before_they_start_are_reported(catalog) -> None:
    catalog.replace("organisation.yaml", 'end: "17:30"', 'end: "08:00"')
    [problem] = catalog.problems()
    assert problem.file == catalog.file("organisation.yaml")
    assert "support hours must start before they end" in problem.message


def test_a_file_that_cannot_be_decoded_is_reported(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("teams:\n  - id: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(tmp_path)
    [problem] = raised.value.problems
    assert problem.file == str(tmp_path / "latin1.yaml")
    assert problem.message.startswith("cannot read the file")


def test_a_file_that_cannot_be_parsed_does_not_make_references_into_it_unknown(catalog) -> None:
    catalog.replace(PAY, "    name: Payments API\n", "    name: Payments API: v2\n")

    problems = catalog.problems()

    assert [p.file for p in problems] == [catalog.file(PAY)]
    assert all("unknown" not in p.message for p in problems)

"""References between catalog objects: unknown ids, duplicate ids, dependency cycles and ownership."""

import itertools
import re

PAY = "teams/pay.yaml"
NOTIFY = "teams/notify.yaml"
RE = "teams/reliability-engineering.yaml"


# Unknown references, each with the closest id as a hint


def test_unknown_team_id_as_a_service_owner_suggests_the_closest_match(catalog) -> None:
    catalog.replace(
        PAY,
        "    owner: pay\n    platform: paas\n    depends_on",
        "    owner: pya\n    platform: paas\n    depends_on",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "owner: pya")
    assert problem.message == "owner of service 'pay-frontend': unknown team 'pya'"
    assert problem.hint == "did you mean 'pay'?"
    assert str(problem) == f"{catalog.file(PAY)}:{problem.line}: {problem.message} (did you mean 'pay'?)"


def test_unknown_team_id_far_from_any_team_gets_no_misleading_hint(catalog) -> None:
    catalog.replace(NOTIFY, "    owner: notify\n", "    owner: zzzzzz\n")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "owner: zzzzzz")
    assert "unknown team 'zzzzzz'" in problem.message
    assert problem.hint is None


def test_unknown_team_as_a_platform_owner_names_the_platform(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "    owner: reliability-engineering\n    checks:",
        "    owner: reliabilty\n    checks:",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", "owner: reliabilty")
    assert problem.message == "owner of platform 'aws': unknown team 'reliabilty'"
    assert problem.hint == "did you mean 'reliability-engineering'?"


def test_unknown_team_in_capacity_managed_by_suggests_the_closest_match(catalog) -> None:
    catalog.replace(PAY, "by: reliability-engineering", "by: reliability-engineerng")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "capacity_managed_by: reliability-engineerng")
    assert "unknown team 'reliability-engineerng'" in problem.message
    assert problem.hint == "did you mean 'reliability-engineering'?"


def test_unknown_platform_of_a_service_suggests_the_closest_match(catalog) -> None:
    catalog.replace(PAY, "    platform: paas\n    depends_on", "    platform: pass\n    depends_on")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "platform: pass")
    assert problem.message == "unknown platform 'pass'"
    assert problem.hint == "did you mean 'paas'?"


def test_unknown_platform_in_a_platforms_depends_on(catalog) -> None:
    catalog.replace("platforms.yaml", "depends_on: [aws]", "depends_on: [aws, gcp]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of("platforms.yaml", "depends_on: [aws, gcp]")
    assert problem.message == "unknown platform 'gcp'"


def test_unknown_person_in_a_rotation_suggests_the_closest_match(catalog) -> None:
    catalog.replace(PAY, "rotation: [fatima, george, hana]", "rotation: [fatima, gorge, hana]")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "rotation: [fatima, gorge, hana]")
    assert problem.message == "unknown person 'gorge'"
    assert problem.hint == "did you mean 'george'?"


def test_a_rotation_may_name_a_person_of_another_team(catalog) -> None:
    catalog.replace(PAY, "rotation: [fatima, george, hana]", "rotation: [fatima, george, hana, asha]")
    [pay] = [team for team in catalog.load().teams if team.id == "pay"]
    assert pay.schedules[0].layers[0].rotation == ["fatima", "george", "hana", "asha"]


def test_unknown_schedule_target_in_an_escalation_level(catalog) -> None:
    catalog.replace(PAY, "notify: [schedule:pay-on-call]", "notify: [schedule:pay-on-cal]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "schedule:pay-on-cal]")
    assert problem.message == "unknown schedule 'pay-on-cal'"
    assert problem.hint == "did you mean 'pay-on-call'?"


def test_unknown_person_target_in_an_escalation_level(catalog) -> None:
    catalog.replace(PAY, "notify: [person:hana]", "notify: [person:hanna]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "person:hanna")
    assert problem.message == "unknown person 'hanna'"
    assert problem.hint == "did you mean 'hana'?"


def test_unknown_channel_target_in_a_route(catalog) -> None:
    catalog.replace(PAY, "notify: [channel:pay-slack]", "notify: [channel:pay-slak]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "channel:pay-slak")
    assert problem.message == "unknown channel 'pay-slak'"
    assert problem.hint == "did you mean 'pay-slack'?"


def test_a_target_names_the_kind_it_refers_to(catalog) -> None:
    # 'ellis' is a person, not a schedule: the kind in the target decides where the id is looked up.
    catalog.replace(RE, "[person:ellis,", "[schedule:ellis,")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(RE, "schedule:ellis")
    assert problem.message == "unknown schedule 'ellis'"


def test_a_target_of_an_unknown_kind_is_reported_with_the_forms_allowed(catalog) -> None:
    catalog.replace(PAY, "notify: [person:hana]", "notify: [people:hana]")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "people:hana")
    assert "'people:hana' is not a target" in problem.message
    assert "schedule:ID, person:ID or channel:ID" in problem.message


def test_unknown_escalation_policy_in_a_route_suggests_the_closest_match(catalog) -> None:
    catalog.replace(PAY, "escalation_policy: pay-default", "escalation_policy: pay-defualt")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "escalation_policy: pay-defualt")
    assert problem.message == "unknown escalation policy 'pay-defualt'"
    assert problem.hint == "did you mean 'pay-default'?"


def test_unknown_service_in_a_route_match(catalog) -> None:
    route = "        escalation_policy: pay-default"
    match = "{severity: page, service: [pay-api, pay-apii]}"
    catalog.replace(PAY, f"      - match: {{severity: page}}\n{route}", f"      - match: {match}\n{route}")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "pay-apii")
    assert problem.message == "unknown service 'pay-apii'"
    assert problem.hint == "did you mean 'pay-api'?"


def test_unknown_check_named_by_a_service_level_suggests_the_closest_match(catalog) -> None:
    catalog.replace(PAY, "checks: [pay-frontend-home]\n      - id", "checks: [pay-frontend-hom]\n      - id")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "checks: [pay-frontend-hom]")
    assert problem.message == "unknown check 'pay-frontend-hom'"
    assert problem.hint == "did you mean 'pay-frontend-home'?"


def test_unknown_data_source_of_a_service_level_indicator(catalog) -> None:
    catalog.replace(PAY, "source: prometheus\n          good", "source: prometeus\n          good")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "source: prometeus")
    assert problem.message == "unknown data source 'prometeus'"
    assert problem.hint == "did you mean 'prometheus'?"


def test_unknown_data_source_of_a_capacity_signal(catalog) -> None:
    catalog.replace(PAY, "source: prometheus\n          query: sum", "source: thanos\n          query: sum")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "source: thanos")
    assert problem.message == "unknown data source 'thanos'"


def test_unknown_service_on_a_status_page(catalog) -> None:
    catalog.replace("status-pages.yaml", "{service: pay-api,", "{service: pay-apu,")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("status-pages.yaml")
    assert problem.line == catalog.line_of("status-pages.yaml", "pay-apu")
    assert problem.message == "unknown service 'pay-apu'"
    assert problem.hint == "did you mean 'pay-api'?"


# Duplicate ids: reported where the second one is, with the first in the hint


def test_duplicate_team_id_names_both_locations(catalog) -> None:
    catalog.write("teams/zz-copy.yaml", "teams:\n  - id: notify\n    name: Notify again\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("teams/zz-copy.yaml")
    assert problem.line == catalog.line_of("teams/zz-copy.yaml", "id: notify")
    assert problem.message == "duplicate team id 'notify'"
    first_line = catalog.line_of(NOTIFY, "- id: notify\n")
    assert problem.hint == f"also defined at {catalog.file(NOTIFY)}:{first_line}"


def test_duplicate_check_id_across_files_names_both_locations(catalog) -> None:
    catalog.replace(NOTIFY, "      - id: notify-smtp\n", "      - id: paas-api\n")
    [problem] = catalog.problems()
    assert problem.file == catalog.file(NOTIFY)
    assert problem.line == catalog.line_of(NOTIFY, "- id: paas-api")
    assert problem.message == "duplicate check id 'paas-api'"
    assert problem.hint == f"also defined at {catalog.file('platforms.yaml')}:" + str(
        catalog.line_of("platforms.yaml", "- id: paas-api")
    )


def test_duplicate_person_id_in_two_teams_names_both_locations(catalog) -> None:
    catalog.replace(RE, "      - id: ellis\n", "      - id: ines\n")
    catalog.replace(RE, "notify: [person:ellis, channel:re-slack]", "notify: [person:ines, channel:re-slack]")
    [problem] = catalog.problems()
    # notify.yaml is read before reliability-engineering.yaml, so its ines is the first.
    assert problem.file == catalog.file(RE)
    assert problem.line == catalog.line_of(RE, "- id: ines")
    assert problem.message == "duplicate person id 'ines'"
    assert problem.hint == f"also defined at {catalog.file(NOTIFY)}:{catalog.line_of(NOTIFY, '- id: ines')}"


def test_duplicate_id_within_one_file_points_back_to_the_earlier_line(catalog) -> None:
    catalog.replace(PAY, "      - id: hana\n", "      - id: george\n")
    catalog.replace(PAY, "rotation: [fatima, george, hana]", "rotation: [fatima, george]")
    catalog.replace(PAY, "notify: [person:hana]", "notify: [person:george]")
    [problem] = catalog.problems()
    lines = [n for n, text in enumerate(catalog.text(PAY).splitlines(), 1) if text.strip() == "- id: george"]
    assert len(lines) == 2
    assert problem.line == lines[1]
    assert problem.hint == f"also defined at {catalog.file(PAY)}:{lines[0]}"


def test_the_same_id_may_be_used_by_objects_of_different_kinds(catalog) -> None:
    # A team and a platform called 'paas' are different things.
    catalog.write("teams/paas.yaml", "teams:\n  - id: paas\n    name: PaaS people\n")
    assert "paas" in [t.id for t in catalog.load().teams]


# Dependency cycles


def test_a_service_dependency_cycle_is_reported_with_its_chain(catalog) -> None:
    catalog.replace(
        PAY,
        "    platform: paas\n    checks:\n      - id: pay-api-health",
        "    platform: paas\n    depends_on: [pay-frontend]\n    checks:\n      - id: pay-api-health",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "depends_on: [pay-frontend]")
    assert problem.message == "service dependency cycle: pay-frontend -> pay-api -> pay-frontend"


def test_a_cycle_through_three_services_in_two_files_shows_every_step(catalog) -> None:
    catalog.replace(
        PAY,
        "    platform: paas\n    checks:\n      - id: pay-api-health",
        "    platform: paas\n    depends_on: [notify-api]\n    checks:\n      - id: pay-api-health",
    )
    catalog.replace(NOTIFY, "    platform: paas\n", "    platform: paas\n    depends_on: [pay-frontend]\n")
    [problem] = catalog.problems()
    assert problem.message.startswith("service dependency cycle: ")
    chain = problem.message.removeprefix("service dependency cycle: ").split(" -> ")
    assert chain[0] == chain[-1]
    assert sorted(chain[:-1]) == ["notify-api", "pay-api", "pay-frontend"]
    # Each step is a real depends_on edge.
    edges = {("pay-frontend", "pay-api"), ("pay-api", "notify-api"), ("notify-api", "pay-frontend")}
    assert set(itertools.pairwise(chain)) == edges
    assert (problem.file, problem.line) in {
        (catalog.file(PAY), catalog.line_of(PAY, "depends_on: [notify-api]")),
        (catalog.file(PAY), catalog.line_of(PAY, "depends_on: [pay-api]")),
        (catalog.file(NOTIFY), catalog.line_of(NOTIFY, "depends_on: [pay-frontend]")),
    }


def test_a_service_that_depends_on_itself_is_a_cycle(catalog) -> None:
    catalog.replace(NOTIFY, "    platform: paas\n", "    platform: paas\n    depends_on: [notify-api]\n")
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(NOTIFY, "depends_on: [notify-api]")
    assert problem.message == "service dependency cycle: notify-api -> notify-api"


def test_a_shared_dependency_is_not_a_cycle(catalog) -> None:
    # pay-frontend -> pay-api -> notify-api and pay-frontend -> notify-api: a diamond, not a loop.
    catalog.replace(
        PAY,
        "    platform: paas\n    checks:\n      - id: pay-api-health",
        "    platform: paas\n    depends_on: [notify-api]\n    checks:\n      - id: pay-api-health",
    )
    catalog.replace(PAY, "depends_on: [pay-api]", "depends_on: [pay-api, notify-api]")
    assert len(catalog.load().services) == 3


def test_a_platform_dependency_cycle_is_reported_with_its_chain(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "    owner: reliability-engineering\n    checks:",
        "    owner: reliability-engineering\n    depends_on: [paas]\n    checks:",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.message in {
        "platform dependency cycle: aws -> paas -> aws",
        "platform dependency cycle: paas -> aws -> paas",
    }
    depends_on_lines = {
        catalog.line_of("platforms.yaml", "depends_on: [paas]"),
        catalog.line_of("platforms.yaml", "depends_on: [aws]"),
    }
    assert problem.line in depends_on_lines


def test_two_separate_cycles_are_both_reported(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "    owner: reliability-engineering\n    checks:",
        "    owner: reliability-engineering\n    depends_on: [paas]\n    checks:",
    )
    catalog.replace(NOTIFY, "    platform: paas\n", "    platform: paas\n    depends_on: [notify-api]\n")
    problems = catalog.problems()
    assert sorted(re.sub(r":.*", "", p.message) for p in problems) == [
        "platform dependency cycle",
        "service dependency cycle",
    ]


# Ownership


def test_a_platform_owned_by_a_team_that_is_not_a_platform_team_is_reported(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "    owner: reliability-engineering\n    depends_on",
        "    owner: pay\n    depends_on",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file("platforms.yaml")
    assert problem.line == catalog.line_of("platforms.yaml", "owner: pay")
    assert problem.message == "platform 'paas' is owned by 'pay', which is not a platform team"
    assert problem.hint is not None
    assert "platform_team: true" in problem.hint


def test_marking_the_owner_as_a_platform_team_makes_the_platform_valid(catalog) -> None:
    catalog.replace(
        "platforms.yaml",
        "    owner: reliability-engineering\n    depends_on",
        "    owner: pay\n    depends_on",
    )
    catalog.replace(PAY, "    name: GOV.UK Pay\n", "    name: GOV.UK Pay\n    platform_team: true\n")
    assert [p.owner for p in catalog.load().platforms] == ["reliability-engineering", "pay"]


# Broken items: their ids still count, so one mistake is reported once


def test_a_broken_team_is_reported_once_and_its_id_and_people_still_resolve(catalog) -> None:
    catalog.replace(PAY, "        name: George Lin\n", "")
    [problem] = catalog.problems()  # not also "unknown team 'pay'" for its services or "unknown person"
    assert problem.file == catalog.file(PAY)
    assert problem.line == catalog.line_of(PAY, "- id: george")
    assert problem.message == "team 'pay', people[george]: missing required field 'name'"


def test_a_broken_platform_does_not_make_the_services_on_it_unknown(catalog) -> None:
    catalog.replace("platforms.yaml", "type: http", "type: htp")
    [problem] = catalog.problems()  # services and status pages name 'paas': none of them is reported
    assert problem.file == catalog.file("platforms.yaml")
    assert "unknown check type 'htp'" in problem.message


def test_a_broken_service_does_not_make_references_to_it_or_its_checks_unknown(catalog) -> None:
    catalog.replace(PAY, "objective: 99.95%", "objective: lots")
    # pay-frontend is named by a status page; its own checks by its service levels.
    [problem] = catalog.problems()
    assert problem.line == catalog.line_of(PAY, "objective: lots")
    assert "'lots' is not a percentage" in problem.message


def test_a_check_of_a_broken_service_can_still_be_named_by_another_service_level(catalog) -> None:
    catalog.replace(NOTIFY, "        severity: ticket\n", "        severity: sometimes\n")
    catalog.replace(
        PAY,
        "          checks: [pay-frontend-home]\n          latency_below",
        "          checks: [pay-frontend-home, notify-smtp]\n          latency_below",
    )
    [problem] = catalog.problems()
    assert problem.file == catalog.file(NOTIFY)
    assert "'sometimes' is not one of: page, ticket, info" in problem.message


def test_a_broken_data_source_does_not_make_references_to_it_unknown(catalog) -> None:
    catalog.replace("organisation.yaml", "type: prometheus", "type: prometeus")
    [problem] = catalog.problems()
    assert problem.file == catalog.file("organisation.yaml")
    assert problem.line == catalog.line_of("organisation.yaml", "type: prometeus")
    assert problem.message == "data source 'prometheus', type: 'prometeus' is not one of: prometheus"
    assert problem.hint == "did you mean 'prometheus'?"

"""Every shape of saved response is read, and an export the import cannot read is refused with every problem at
once, each naming its file and its place in the JSON; nothing half-read is imported."""

from typing import Any

import pytest
from pagerduty_exports import export, layer, policy, rule, run, schedule, user

from watchkeeper.importers.problems import ExportInvalid


def _problems(files: list[tuple[str, Any]]) -> list[str]:
    with pytest.raises(ExportInvalid) as invalid:
        run(files)
    return [str(problem) for problem in invalid.value.problems]


def test_single_object_responses_bare_objects_and_arrays_of_responses_are_all_read() -> None:
    files = [
        ("one-user.json", {"user": user("PU1", "Asha Patel")}),
        ("bare-user.json", user("PU2", "Ben Okafor")),
        ("array.json", [{"schedule": schedule("PS1")}, {"escalation_policies": [policy("PE1")]}]),
    ]

    result = run(files)

    [team] = result.teams
    assert [ident for ident, _ in team.people] == ["asha-patel", "ben-okafor"]
    assert [ident for ident, _ in team.schedules] == ["schedule-ps1"]
    assert [ident for ident, _ in team.escalation_policies] == ["policy-pe1"]


def test_a_page_that_says_more_follow_without_the_next_page_saved_is_a_note() -> None:
    files = [("users.json", {"users": [user()], "limit": 1, "offset": 0, "more": True})]

    [note] = run(files).notes

    assert note.location == "users.json"
    assert note.message.startswith("the users page at offset 0 says more follow, but no file holds the page at")
    assert "offset 1:" in note.message


def test_a_saved_error_response_is_recognised() -> None:
    files = [("users.json", {"error": {"message": "Access Denied", "code": 2010}})]

    assert _problems(files) == [
        "users.json: (top level): this is a PagerDuty error response, not an export (2010: Access Denied): export again"
    ]


def test_a_file_that_is_no_pagerduty_response_says_what_is_expected() -> None:
    [problem] = _problems([*export(), ("checks.json", {"checks": [{"id": 1}]})])

    assert problem.startswith("checks.json: (top level): not a PagerDuty response the import reads: expected")


def test_every_problem_in_every_file_is_reported_in_file_and_document_order() -> None:
    broken_user = user("PU2", "Ben Okafor", email="not-an-address")
    broken_layer = layer(rotation_turn_length_seconds="weekly", users=[{"user": {"id": "PU404"}}])
    files = [
        ("users.json", {"users": [user(), broken_user, {"id": "PU3", "type": "user", "email": "c@example.gov.uk"}]}),
        ("schedule.json", {"schedule": schedule("PS1", broken_layer, time_zone="Mars/Olympus_Mons")}),
    ]

    assert _problems(files) == [
        "users.json: users[1].email: 'not-an-address' is not an email address",
        "users.json: users[2]: 'name' is missing",
        "schedule.json: schedule.schedule_layers[0].rotation_turn_length_seconds: expected a whole number, "
        "found text 'weekly'",
        "schedule.json: schedule.schedule_layers[0].users[0].user.id: user PU404 is not in the export: save "
        "GET /users (every page) beside the schedules",
        "schedule.json: schedule.time_zone: unknown timezone 'Mars/Olympus_Mons': PagerDuty schedules name an "
        "IANA zone",
    ]


def test_a_restriction_pagerduty_would_not_hold_is_a_problem_where_it_is() -> None:
    restrictions = [
        {"type": "monthly_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 3600},
        {"type": "daily_restriction", "start_time_of_day": "25:00:00", "duration_seconds": 3600},
        {"type": "daily_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 90000},
        {"type": "weekly_restriction", "start_time_of_day": "09:00:00", "duration_seconds": 3600},
    ]
    files = export(schedules=[schedule("PS1", layer(restrictions=restrictions))])

    assert _problems(files) == [
        "schedules.json: schedules[0].schedule_layers[0].restrictions[0].type: unknown restriction type "
        "'monthly_restriction': PagerDuty's are daily_restriction and weekly_restriction",
        "schedules.json: schedules[0].schedule_layers[0].restrictions[1].start_time_of_day: '25:00:00' is not a "
        "time of day such as 08:00:00",
        "schedules.json: schedules[0].schedule_layers[0].restrictions[2].duration_seconds: 90000 seconds is longer "
        "than a day, the most a daily restriction lasts",
        "schedules.json: schedules[0].schedule_layers[0].restrictions[3]: 'start_day_of_week' is missing",
    ]


def test_an_escalation_target_missing_from_the_export_or_of_an_unknown_type_is_a_problem() -> None:
    targets = [{"id": "PU404", "type": "user_reference"}, {"id": "PX1", "type": "team_reference"}]
    files = export(policies=[policy("PE1", {"escalation_delay_in_minutes": 5, "targets": targets})])

    assert _problems(files) == [
        "escalation_policies.json: escalation_policies[0].escalation_rules[0].targets[0].id: user PU404 is not in "
        "the export: save GET /users",
        "escalation_policies.json: escalation_policies[0].escalation_rules[0].targets[1].type: unknown target type "
        "'team_reference': expected user_reference or schedule_reference",
    ]


def test_a_policy_without_rules_or_a_rule_without_targets_is_a_problem() -> None:
    files = export(
        schedules=[schedule("PS1")],
        policies=[policy("PE1", escalation_rules=[]), policy("PE2", {"escalation_delay_in_minutes": 5, "targets": []})],
    )

    assert _problems(files) == [
        "escalation_policies.json: escalation_policies[0].escalation_rules: an escalation policy needs at least "
        "one rule",
        "escalation_policies.json: escalation_policies[1].escalation_rules[0].targets: an escalation rule needs "
        "at least one target",
    ]


def test_a_start_without_an_offset_is_a_problem() -> None:
    files = export(schedules=[schedule("PS1", layer(rotation_virtual_start="2026-01-07T09:30:00"))])

    assert _problems(files) == [
        "schedules.json: schedules[0].schedule_layers[0].rotation_virtual_start: '2026-01-07T09:30:00' has no UTC "
        "offset: PagerDuty gives one, such as +00:00"
    ]


def test_a_control_character_in_a_name_is_a_problem_rather_than_a_file_that_will_not_load() -> None:
    assert _problems(export(users=[user(name="Asha\x00Patel", email="asha@example.gov.uk")])) == [
        "users.json: users[0].name: holds a control character, which the catalog cannot hold"
    ]


def test_problems_in_later_users_come_after_earlier_ones_numerically() -> None:
    users = [user(f"PU{n}", f"Person {n}") for n in range(12)]
    users[2]["email"] = users[10]["email"] = "nobody"

    assert [problem.split(":")[1].strip() for problem in _problems(export(users=users))] == [
        "users[2].email",
        "users[10].email",
    ]


def test_a_rule_of_the_right_shape_but_the_wrong_kinds_is_reported_not_raised() -> None:
    files = export(schedules=[schedule("PS1")], policies=[policy("PE1", rule(5, "PS1"), num_loops="twice")])

    assert _problems(files) == [
        "escalation_policies.json: escalation_policies[0].num_loops: expected a whole number, found text 'twice'"
    ]

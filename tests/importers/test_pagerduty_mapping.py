"""One PagerDuty setting at a time: what it becomes in the catalog, or the note that says why it did not."""

from datetime import timedelta
from pathlib import Path

import pytest
from pagerduty_exports import export, layer, load, method, notification, policy, rule, run, schedule, user
from pydantic import ValidationError

from watchkeeper.catalog import Catalog
from watchkeeper.catalog.teams import EscalationPolicy
from watchkeeper.importers.pagerduty import PagerDutyImport, TeamNeeded
from watchkeeper.importers.pagerduty.policies import MOST_REPEATS
from watchkeeper.importers.pagerduty.schedules import turn_length


def _notes(result: PagerDutyImport) -> list[str]:
    return [note.message for note in result.notes]


def _loaded(result: PagerDutyImport, tmp_path: Path) -> Catalog:
    return load(result, tmp_path / "catalog")


# People


def test_a_person_s_id_comes_from_the_name_and_two_people_of_one_name_get_their_pagerduty_ids(tmp_path: Path) -> None:
    twins = [user("PU1", "Sam Jones"), user("PU2", "Sam Jones", email="sam.jones2@example.gov.uk")]

    catalog = _loaded(run(export(users=twins)), tmp_path)

    assert [person.id for _, person in catalog.people()] == ["sam-jones-pu1", "sam-jones-pu2"]


def test_a_name_with_no_latin_letters_takes_the_id_from_the_email(tmp_path: Path) -> None:
    catalog = _loaded(run(export(users=[user("PU1", "王伟", email="wang.wei@example.gov.uk")])), tmp_path)

    [(_, person)] = list(catalog.people())
    assert (person.id, person.name) == ("wang-wei", "王伟")


def test_a_phone_number_with_spaces_and_a_country_code_becomes_e164(tmp_path: Path) -> None:
    asha = user(
        contact_methods=[method("C1", "sms", "(0)20 7946 0101", country_code=44)],
        notification_rules=[notification("C1", "sms", 0)],
    )

    catalog = _loaded(run(export(users=[asha])), tmp_path)

    [(_, person)] = list(catalog.people())
    assert person.phone == "+4402079460101"  # PagerDuty dials what it holds; the leading 0 is kept, as there
    assert [rule.via for rule in person.notify] == ["sms"]


def test_a_number_that_is_not_international_is_left_out_with_its_rules(tmp_path: Path) -> None:
    asha = user(
        contact_methods=[method("C1", "phone", "12")],
        notification_rules=[notification("C1", "phone", 0)],
    )

    result = run(export(users=[asha]))

    [(_, person)] = list(_loaded(result, tmp_path).people())
    assert person.phone is None
    assert person.notify == []
    assert "the number '12' is not a full international number, so it is not carried over" in _notes(result)
    assert "the phone rule after 0m is not carried over: the person has no usable number" in _notes(result)


def test_one_phone_per_person_is_the_number_the_first_rule_uses_and_the_other_is_named(tmp_path: Path) -> None:
    asha = user(
        contact_methods=[
            method("C1", "sms", "7700900101", country_code=44),
            method("C2", "phone", "2079460101", country_code=44),
        ],
        notification_rules=[notification("C2", "phone", 0), notification("C1", "sms", 5)],
    )

    result = run(export(users=[asha]))

    [(_, person)] = list(_loaded(result, tmp_path).people())
    assert person.phone == "+442079460101"
    assert [(r.via, r.after) for r in person.notify] == [("phone", timedelta(0)), ("sms", timedelta(minutes=5))]
    assert "the sms rule after 5m used +447700900101; a person here has one number, +442079460101" in _notes(result)


def test_a_user_saved_without_includes_is_named_with_how_to_save_it() -> None:
    asha = user(
        contact_methods=[{"id": "C1", "type": "sms_contact_method_reference", "summary": "Mobile"}],
        notification_rules=[{"id": "N1", "type": "assignment_notification_rule_reference"}],
    )

    result = run(export(users=[asha]))

    assert _notes(result) == [
        "the export has only references to the contact methods: save GET /users with include[]=contact_methods "
        "to carry them over",
        "the export has only references to the notification rules: save GET /users with "
        "include[]=notification_rules to carry them over",
    ]


def test_the_catalog_refuses_one_repeat_more_than_the_import_writes() -> None:
    levels = [{"notify": ["schedule:primary"]}]

    EscalationPolicy.model_validate({"id": "p", "levels": levels, "repeat": MOST_REPEATS})
    with pytest.raises(ValidationError):
        EscalationPolicy.model_validate({"id": "p", "levels": levels, "repeat": MOST_REPEATS + 1})


def test_a_time_zone_the_catalog_does_not_know_is_left_out_with_a_note(tmp_path: Path) -> None:
    result = run(export(users=[user(time_zone="Eastern Time (US & Canada)")]))

    [(_, person)] = list(_loaded(result, tmp_path).people())
    assert person.timezone is None
    assert "time zone 'Eastern Time (US & Canada)' is not an IANA zone name, so the person has none" in _notes(result)


def test_text_that_looks_like_a_secret_reference_stays_text(tmp_path: Path) -> None:
    catalog = _loaded(run(export(users=[user(name="Dollar ${NOT_A_SECRET} Sign", email="d@example.gov.uk")])), tmp_path)

    [(_, person)] = list(catalog.people())
    assert person.name == "Dollar $${NOT_A_SECRET} Sign"  # escaped, so the loader asks for no variable


# Schedules


@pytest.mark.parametrize(
    ("seconds", "turn"),
    [(604800, "1w"), (1209600, "2w"), (86400, "1d"), (864000, "10d"), (43200, "12h"), (129600, "36h"), (5400, "1h30m")],
)
def test_a_turn_is_whole_weeks_else_whole_days_else_hours(seconds: int, turn: str) -> None:
    assert turn_length(seconds) == turn


def test_a_turn_under_an_hour_leaves_its_layer_behind_with_a_note(tmp_path: Path) -> None:
    short = layer(name="Hot potato", rotation_turn_length_seconds=1800)
    files = export(schedules=[schedule("PS1", short, layer(name="Weekly"))])

    result = run(files)

    assert [layer.name for layer in _loaded(result, tmp_path).teams[0].schedules[0].layers] == ["Weekly"]
    assert (
        'layer "Hot potato" hands over every 30m; a turn here lasts at least an hour, so the layer is not carried over'
        in _notes(result)
    )


def test_a_schedule_whose_every_layer_is_left_behind_is_skipped_and_its_policy_level_with_it() -> None:
    ended = layer(end="2026-02-01T00:00:00+00:00")
    files = export(
        schedules=[schedule("PS1", ended)],
        policies=[policy("PE1", rule(10, "PS1"), rule(20, "PU1"))],
    )

    result = run(files)

    assert [note.subject for note in result.skipped] == ['PagerDuty schedule PS1 "Schedule PS1"']
    assert "rule 1 notifies nobody the import carries over: the level is left out" in _notes(result)
    assert "after: 10m" in result.yaml  # the person still comes 10 minutes into the round


def test_a_schedule_with_no_layers_at_all_is_skipped_with_that_reason() -> None:
    result = run(export(schedules=[schedule("PS1", schedule_layers=[])]))

    assert [note.message for note in result.skipped] == ["none of its layers can be carried over: it has none"]


def test_a_layer_that_ends_later_or_starts_later_is_carried_over_with_notes() -> None:
    later = layer(start="2026-04-01T09:30:00+01:00", end="2026-09-30T09:30:00+01:00")

    result = run(export(schedules=[schedule("PS1", later)]))

    assert any("takes effect in PagerDuty at 2026-04-01 09:30 BST" in note for note in _notes(result))
    assert any("ends at 2026-09-30 09:30 BST in PagerDuty; a layer here has no end" in note for note in _notes(result))


def test_layers_listed_layer_1_first_are_still_reversed_but_the_reviewer_is_told() -> None:
    files = export(schedules=[schedule("PS1", layer(name="Layer 1"), layer(name="Layer 2"))])

    result = run(files)

    assert result.yaml.index("name: Layer 2") < result.yaml.index("name: Layer 1")
    assert any("the export lists Layer 1 first" in note for note in _notes(result))


def test_a_schedule_saved_only_in_a_list_without_layers_is_skipped_with_how_to_save_it() -> None:
    files = export(schedules=[{"id": "PS1", "type": "schedule", "name": "Primary", "time_zone": "Europe/London"}])

    result = run(files)

    [skipped] = result.skipped
    assert skipped.location == "schedules.json: schedules[0]"
    assert "save GET /schedules/PS1, or the list with include[]=schedule_layers" in skipped.message


def test_the_detailed_copy_of_a_schedule_wins_over_its_list_entry_whatever_the_order(tmp_path: Path) -> None:
    listed = {"id": "PS1", "type": "schedule", "name": "Primary", "time_zone": "Europe/London"}
    detailed = schedule("PS1", name="Primary")
    files = [("a.json", {"schedule": detailed}), ("b.json", {"schedules": [listed]}), *export()]

    catalog = _loaded(run(files), tmp_path)

    assert [s.id for team in catalog.teams for s in team.schedules] == ["primary"]


# Escalation policies


def test_after_is_the_sum_of_the_delays_of_the_rules_before(tmp_path: Path) -> None:
    files = export(
        users=[user("PU1", "Asha Patel"), user("PU2", "Ben Okafor")],
        schedules=[schedule("PS1")],
        policies=[policy("PE1", rule(5, "PS1"), rule(10, "PU1"), rule(45, "PU2", "PS1"))],
    )

    [policy_] = _loaded(run(files), tmp_path).teams[0].escalation_policies

    assert [level.after for level in policy_.levels] == [None, timedelta(minutes=5), timedelta(minutes=15)]
    assert policy_.levels[2].notify == ["person:ben-okafor", "schedule:schedule-ps1"]
    assert policy_.repeat == 0


def test_num_loops_becomes_repeat_with_a_note_on_pagerduty_s_wait_before_it(tmp_path: Path) -> None:
    files = export(schedules=[schedule("PS1")], policies=[policy("PE1", rule(25, "PS1"), num_loops=3)])

    result = run(files)

    assert _loaded(result, tmp_path).teams[0].escalation_policies[0].repeat == 3
    assert (
        "PagerDuty waits 25 minutes after the last rule before it repeats the rules; check the round's length here"
        in _notes(result)
    )


# Teams


def test_without_a_teams_export_everything_goes_to_the_team_given(tmp_path: Path) -> None:
    result = run(export(schedules=[schedule("PS1")]), team_id="on-call", team_name="On-call rota")

    [team] = _loaded(result, tmp_path).teams
    assert (team.id, team.name) == ("on-call", "On-call rota")
    assert list(result.files) == ["on-call.yaml"]


def test_without_a_team_id_what_is_in_no_team_is_named_and_nothing_is_imported() -> None:
    with pytest.raises(TeamNeeded) as needed:
        run(export(schedules=[schedule("PS1")]), team_id=None)

    assert needed.value.labels == ['PagerDuty user PU1 "Asha Patel"', 'PagerDuty schedule PS1 "Schedule PS1"']


def test_a_team_id_that_is_an_imported_team_s_adds_the_unteamed_to_it(tmp_path: Path) -> None:
    pay = {"id": "PT1", "type": "team", "name": "Payments"}
    files = export(
        users=[user("PU1", "Asha Patel", teams=[{"id": "PT1", "type": "team_reference"}]), user("PU2", "Ben Okafor")],
        teams=[pay],
    )

    [team] = _loaded(run(files, team_id="payments"), tmp_path).teams

    assert [person.id for person in team.people] == ["asha-patel", "ben-okafor"]


def test_a_team_with_nothing_in_it_is_not_written_and_is_named() -> None:
    files = export(teams=[{"id": "PT9", "type": "team", "name": "Executives"}])

    result = run(files)

    assert "executives.yaml" not in result.files
    assert any(note.subject == 'PagerDuty team PT9 "Executives"' for note in result.skipped)

"""The fixture export (a London weekly rota with a restricted weeknight layer, a New York daytime rota, a
three-level policy and a policy that crosses teams) imports into team files that load through the real catalog
loader, with every PagerDuty setting where the on-call maths will read it."""

from datetime import time, timedelta
from pathlib import Path

import pytest
from pagerduty_exports import INTEGRATION_KEY, fixture_files, load, run

from watchkeeper.catalog import Catalog
from watchkeeper.catalog.teams import EscalationPolicy, Person, Schedule, Team


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return load(run(fixture_files()), tmp_path / "catalog")


def _team(catalog: Catalog, ident: str) -> Team:
    return next(team for team in catalog.teams if team.id == ident)


def _person(catalog: Catalog, ident: str) -> Person:
    return next(person for _, person in catalog.people() if person.id == ident)


def _schedule(catalog: Catalog, ident: str) -> Schedule:
    return next(s for team in catalog.teams for s in team.schedules if s.id == ident)


def _policy(catalog: Catalog, ident: str) -> EscalationPolicy:
    return next(p for team in catalog.teams for p in team.escalation_policies if p.id == ident)


def test_each_pagerduty_team_becomes_a_team_file_and_the_unteamed_go_to_the_team_given(catalog: Catalog) -> None:
    result = run(fixture_files())

    assert sorted(result.files) == ["payments.yaml", "platform.yaml", "reliability-engineering.yaml"]
    assert [(team.id, team.name) for team in catalog.teams] == [
        ("payments", "Payments"),
        ("platform", "Platform"),
        ("reliability-engineering", "Reliability Engineering"),
    ]
    assert [p.id for p in _team(catalog, "reliability-engineering").people] == [
        "asha-patel",
        "ben-okafor",
        "chen-wei",  # also in Payments: the first of its teams wins
        "dami-adeyemi",
        "ellis-morgan",
    ]
    assert [p.id for p in _team(catalog, "payments").people] == ["farah-khan"]
    assert [p.id for p in _team(catalog, "platform").people] == ["gabriel-silva"]


def test_the_london_weekly_rota_hands_over_on_wednesday_at_09_30_local_time(catalog: Catalog) -> None:
    primary = _schedule(catalog, "re-primary")
    weekly = primary.layers[0]

    assert primary.name == "RE primary"
    assert primary.timezone == "Europe/London"
    assert weekly.name == "Layer 2"
    assert weekly.start.isoformat() == "2026-01-07T09:30:00"
    assert weekly.start.weekday() == 2  # Wednesday
    assert weekly.rotation == ["asha-patel", "ben-okafor", "chen-wei", "dami-adeyemi"]
    assert weekly.turn == timedelta(weeks=1)
    assert weekly.restrict == []


def test_pagerduty_s_highest_layer_comes_last_and_an_ended_layer_is_left_behind(catalog: Catalog) -> None:
    # The API lists Layer 3 (weeknight cover), Layer 2 (weekly), Layer 1 (ended in January): highest first.
    primary = _schedule(catalog, "re-primary")

    assert [layer.name for layer in primary.layers] == ["Layer 2", "Layer 3"]


def test_the_weeknight_layer_s_four_weekly_restrictions_become_one_window_past_midnight(catalog: Catalog) -> None:
    weeknight = _schedule(catalog, "re-primary").layers[1]

    assert weeknight.rotation == ["ben-okafor", "dami-adeyemi"]
    assert weeknight.turn == timedelta(days=1)
    assert weeknight.start.isoformat() == "2026-01-05T17:30:00"
    [window] = weeknight.restrict
    assert window.days == ["mon", "tue", "wed", "thu"]
    assert (window.from_, window.to) == (time(17, 30), time(9, 30))


def test_a_summer_start_given_in_utc_is_written_as_london_wall_clock_time(catalog: Catalog) -> None:
    # "2025-07-02T08:30:00Z" is 09:30 in London, on British Summer Time.
    secondary = _schedule(catalog, "re-secondary")

    assert secondary.layers[0].start.isoformat() == "2025-07-02T09:30:00"
    assert secondary.layers[0].rotation == ["chen-wei", "dami-adeyemi", "asha-patel", "ben-okafor"]


def test_a_daily_restriction_covers_every_day_in_the_schedule_s_own_timezone(catalog: Catalog) -> None:
    daytime = _schedule(catalog, "payments-us-daytime")

    assert daytime.timezone == "America/New_York"
    assert daytime.layers[0].start.isoformat() == "2026-01-05T09:00:00"  # 14:00 UTC in winter
    [window] = daytime.layers[0].restrict
    assert window.days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert (window.from_, window.to) == (time(9), time(17))


def test_the_three_level_policy_counts_each_level_s_after_from_the_start_of_the_round(catalog: Catalog) -> None:
    policy = _policy(catalog, "re-default")

    assert policy.name == "RE default"
    assert [level.after for level in policy.levels] == [None, timedelta(minutes=15), timedelta(minutes=30)]
    assert [level.notify for level in policy.levels] == [
        ["schedule:re-primary"],
        ["schedule:re-secondary"],
        ["person:ellis-morgan"],
    ]
    assert policy.repeat == 2


def test_a_policy_keeps_its_timing_when_a_schedule_left_behind_drops_out_of_a_level(catalog: Catalog) -> None:
    policy = _policy(catalog, "payments-escalation")

    assert [level.after for level in policy.levels] == [None, timedelta(minutes=10), timedelta(minutes=30)]
    assert policy.levels[1].notify == ["person:farah-khan"]  # the weekend cover schedule has no layers saved
    assert policy.levels[2].notify == ["schedule:re-primary"]  # another team's schedule: ids are catalog-wide
    assert policy.repeat == 10  # PagerDuty's 12, capped


def test_people_keep_their_number_timezone_and_high_urgency_rules(catalog: Catalog) -> None:
    asha, farah = _person(catalog, "asha-patel"), _person(catalog, "farah-khan")

    assert asha.email == "asha.patel@example.gov.uk"
    assert asha.phone == "+447700900101"
    assert asha.timezone == "Europe/London"
    assert [(rule.via, rule.after) for rule in asha.notify] == [
        ("email", timedelta(0)),
        ("sms", timedelta(minutes=5)),
        ("phone", timedelta(minutes=10)),
    ]
    assert farah.phone == "+12025550143"
    assert farah.timezone == "America/New_York"
    assert _person(catalog, "ellis-morgan").notify == []


def test_the_report_names_what_did_not_come_across() -> None:
    result = run(fixture_files())
    skipped = [note.line() for note in result.skipped]
    notes = [note.line() for note in result.notes]

    assert skipped == [
        'schedules.json: schedules[3]: PagerDuty schedule PS4WEEK "Payments weekend cover": the export has no '
        "layers for it: save GET /schedules/PS4WEEK, or the list with include[]=schedule_layers",
        "overrides-PS1REPR.json: (top level): 1 PagerDuty override: overrides are runtime state, not catalog: "
        "make the ones still ahead again in Watchkeeper",
        "services.json: (top level): 1 PagerDuty service: services are not carried over: a team's routes and "
        "integrations decide where its alerts go",
    ]
    assert any("Chen Wei" in line and "also in PagerDuty team PT7PAYS" in line for line in notes)
    assert any("Asha Patel" in line and "1 push notification rule" in line for line in notes)
    assert any("Asha Patel" in line and "1 low-urgency notification rule" in line for line in notes)
    assert any('layer "Layer 1" ended at 2026-01-07 09:30 GMT' in line for line in notes)
    assert any("PagerDuty repeats it 12 times; 10 is the most here" in line for line in notes)
    assert any("rule 1 assigns round robin" in line for line in notes)
    assert any("schedule PS4WEEK is left behind" in line for line in notes)


def test_the_integration_key_of_a_saved_services_response_is_never_written() -> None:
    result = run(fixture_files())
    report = "\n".join(note.line() for note in [*result.skipped, *result.notes])

    assert INTEGRATION_KEY not in result.yaml + report + "".join(result.files.values())


def test_a_re_import_of_the_files_in_another_order_writes_the_same_teams() -> None:
    files = fixture_files()

    assert run(list(reversed(files))).files.keys() == run(files).files.keys()
    assert _ids(run(list(reversed(files))).yaml) == _ids(run(files).yaml)


def _ids(text: str) -> list[str]:
    return sorted(line.strip() for line in text.splitlines() if line.strip().startswith("- id: "))

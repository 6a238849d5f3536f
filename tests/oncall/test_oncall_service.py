"""Who is on call and a schedule's shifts, read from a loaded catalog on SQLite and PostgreSQL, and the same
answers straight from the catalog files."""

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.catalog.teams import Schedule
from watchkeeper.domain.oncall import Window
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.oncall import (
    Contact,
    Roster,
    now_on_call,
    on_call_in,
    person_on_call,
    roster_of,
    rota_of,
    shifts_in,
    shifts_of,
)
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.store import Database

CATALOG = """
teams:
  - id: sre
    name: SRE
    people:
      - {id: ana, name: Ana Silva, email: ana@example.org}
      - {id: bo, name: Bo Chen, email: bo@example.org}
    schedules:
      - id: sre-nyc
        name: SRE New York
        timezone: America/New_York
        layers:
          - name: weekly
            start: 2026-01-05T09:00
            rotation: [ana, bo]
            turn: 1w
  - id: ops
    name: Ops
    people:
      - {id: kai, name: Kai Lee, email: kai@example.org}
      - {id: lee, name: Lee Park, email: lee@example.org}
    schedules:
      - id: ops-sydney
        timezone: Australia/Sydney
        layers:
          - start: 2026-03-30T08:00
            rotation: [kai, lee]
            turn: 1d
            restrict:
              - {days: [mon, tue, wed, thu, fri], from: "08:00", to: "24:00"}
  - id: quiet
    name: Quiet team
"""


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


@pytest.fixture
def loaded(db: Database, catalog: Path) -> Database:
    result = apply_catalog_from(db, catalog, clock=FixedClock(utc(2026, 1, 1)), trigger="cli", environ={})
    assert result.outcome == "applied", result
    return db


def test_who_is_on_call_in_every_schedule_with_when_it_changes(loaded: Database):
    at = utc(2026, 3, 10, 12)  # Tuesday; New York is on summer time since Sunday, Sydney still on its own

    with loaded.reading() as connection:
        answers = now_on_call(connection, None, at)

    assert [(a.team, a.schedule) for a in answers] == [("ops", "ops-sydney"), ("sre", "sre-nyc")]
    sydney, new_york = answers
    assert sydney.person is None  # the layer starts on 30 March
    assert sydney.until == utc(2026, 3, 29, 21)  # 08:00 AEDT on Monday 30 March
    assert new_york.person == Contact("bo", "Bo Chen", "bo@example.org")  # tenth week: bo's
    assert new_york.source == "weekly"
    assert new_york.until == utc(2026, 3, 16, 13)  # Monday 09:00 EDT


def test_the_person_on_call_in_one_schedule_for_escalation(loaded: Database):
    with loaded.reading() as connection:
        on_weekday = person_on_call(connection, "ops-sydney", utc(2026, 4, 1, 3))  # Wednesday 14:00 AEDT
        at_weekend = person_on_call(connection, "ops-sydney", utc(2026, 4, 4, 3))
        with pytest.raises(NotFound, match="no schedule 'ops'"):
            person_on_call(connection, "ops", utc(2026, 4, 1))

    assert on_weekday == Contact("kai", "Kai Lee", "kai@example.org")
    assert at_weekend is None


def test_one_team_and_an_unknown_team(loaded: Database):
    with loaded.reading() as connection:
        sre = now_on_call(connection, "sre", utc(2026, 3, 10, 12))
        quiet = now_on_call(connection, "quiet", utc(2026, 3, 10, 12))
        with pytest.raises(NotFound, match="no team 'sr' in the database"):
            now_on_call(connection, "sr", utc(2026, 3, 10, 12))

    assert [a.schedule for a in sre] == ["sre-nyc"]
    assert quiet == []


def test_shifts_keep_local_handoffs_across_sydneys_april_change_and_a_24_00_window(loaded: Database):
    with loaded.reading() as connection:
        found = shifts_of(connection, "ops-sydney", utc(2026, 4, 1), utc(2026, 4, 8))

    # Weekdays 08:00 to midnight, local: AEDT (+11) until Sunday 5 April, AEST (+10) after.
    assert [(s.person.id, s.start, s.end) for s in found.shifts] == [
        ("kai", utc(2026, 4, 1), utc(2026, 4, 1, 13)),  # Wednesday, from the range's start
        ("lee", utc(2026, 4, 1, 21), utc(2026, 4, 2, 13)),
        ("kai", utc(2026, 4, 2, 21), utc(2026, 4, 3, 13)),
        ("lee", utc(2026, 4, 5, 22), utc(2026, 4, 6, 14)),  # Monday in AEST; the weekend's turns counted
        ("kai", utc(2026, 4, 6, 22), utc(2026, 4, 7, 14)),
        ("lee", utc(2026, 4, 7, 22), utc(2026, 4, 8)),
    ]
    assert found.gaps[0] == (utc(2026, 4, 1, 13), utc(2026, 4, 1, 21))
    assert found.as_json()["shifts"][0]["start"] == "2026-04-01T11:00:00+11:00"
    assert found.as_json()["gaps"][2] == {"start": "2026-04-04T00:00:00+11:00", "end": "2026-04-06T08:00:00+10:00"}


def test_an_unknown_schedule_and_bad_ranges_are_refused_with_the_reason(loaded: Database):
    with loaded.reading() as connection:
        with pytest.raises(NotFound, match=r"no schedule 'sre-nyk' in the database \(did you mean 'sre-nyc'\?\)"):
            shifts_of(connection, "sre-nyk", utc(2026, 1, 1), utc(2026, 1, 2))
        with pytest.raises(Refused, match="must end after it starts"):
            shifts_of(connection, "sre-nyc", utc(2026, 1, 2), utc(2026, 1, 1))
        with pytest.raises(Refused, match="367 days long; ask for at most 366"):
            shifts_of(connection, "sre-nyc", utc(2026, 1, 1), utc(2026, 1, 1) + timedelta(days=367))
        with pytest.raises(Refused, match="needs a UTC offset"):
            shifts_of(connection, "sre-nyc", datetime(2026, 1, 1), utc(2026, 1, 2))
        with pytest.raises(Refused, match="between 1971 and 9000"):
            now_on_call(connection, None, utc(9500, 1, 1))


def test_answers_from_the_files_match_answers_from_the_database(loaded: Database, catalog: Path):
    roster = roster_of(load_catalog(catalog, check_secrets=False), str(catalog))
    at, start, end = utc(2026, 3, 31, 3), utc(2026, 3, 1), utc(2026, 4, 15)

    with loaded.reading() as connection:
        assert on_call_in(roster, None, at) == now_on_call(connection, None, at)
        assert shifts_in(roster, "sre-nyc", start, end) == shifts_of(connection, "sre-nyc", start, end)
    with pytest.raises(NotFound, match=f"no team 'nobody' in {catalog}"):
        on_call_in(roster, "nobody", at)


def test_the_example_catalogs_re_primary_from_the_database(db: Database, example_catalog: Path, example_secrets):
    applied = apply_catalog_from(
        db, example_catalog, clock=FixedClock(utc(2026, 1, 1)), trigger="cli", environ=example_secrets
    )
    assert applied.outcome == "applied"

    with db.reading() as connection:
        found = shifts_of(connection, "re-primary", utc(2026, 3, 27, 9, 30), utc(2026, 3, 31, 8, 30))
        answers = {a.schedule: a for a in now_on_call(connection, "reliability-engineering", utc(2026, 3, 30, 16))}

    assert [(s.person.name, s.source, s.start, s.end) for s in found.shifts] == [
        ("Dami Adeyemi", "weekly", utc(2026, 3, 27, 9, 30), utc(2026, 3, 30, 16, 30)),  # Monday 17:30 BST
        ("Ben Okafor", "weeknight cover", utc(2026, 3, 30, 16, 30), utc(2026, 3, 31, 8, 30)),
    ]
    assert answers["re-primary"].person is not None
    assert answers["re-primary"].person.id == "dami"
    assert answers["re-primary"].until == utc(2026, 3, 30, 16, 30)
    assert answers["re-secondary"].until == utc(2026, 4, 1, 8, 30)


def test_a_persons_back_to_back_shifts_from_different_layers_are_one_answer(loaded: Database, catalog: Path):
    roster = roster_of(load_catalog(catalog, check_secrets=False), "catalog")
    both = Schedule.model_validate(
        {
            "id": "both",
            "timezone": "Europe/London",
            "layers": [
                {"start": "2026-01-05T09:00", "rotation": ["ana"], "turn": "1w"},
                {
                    "start": "2026-01-05T09:00",
                    "rotation": ["ana", "bo"],
                    "turn": "1d",
                    "restrict": [{"days": ["mon", "tue"], "from": "18:00", "to": "09:00"}],
                },
            ],
        }
    )
    roster = Roster((("sre", both),), roster.people, ("sre",), roster.overrides_of, "catalog")

    answer = on_call_in(roster, "sre", utc(2026, 1, 5, 12))[0]

    # Ana all week, and on Monday night from the second layer too: she is on call until Tuesday 18:00 (bo).
    assert answer.person is not None
    assert (answer.person.id, answer.source, answer.until) == ("ana", "layer 1", utc(2026, 1, 6, 18))


def test_catalog_restrictions_become_windows_with_24_00_as_midnight():
    schedule = Schedule.model_validate(
        {
            "id": "s",
            "timezone": "Europe/London",
            "layers": [
                {
                    "start": "2026-01-05T09:00",
                    "rotation": ["a"],
                    "turn": "12h",
                    "restrict": [
                        {"days": ["mon", "sun"], "from": "18:00", "to": "24:00"},
                        {"from": "00:00", "to": "00:00"},
                    ],
                }
            ],
        },
        strict=False,
    )

    rota = rota_of(schedule)

    assert rota.timezone == "Europe/London"
    assert rota.layers[0].turn == timedelta(hours=12)
    assert rota.layers[0].windows == (
        Window(frozenset({0, 6}), time(18), time(0)),
        Window(frozenset(range(7)), time(0), time(0)),
    )


def test_a_restriction_cannot_start_at_24_00(tmp_path: Path):
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG.replace('from: "08:00", to: "24:00"', 'from: "24:00", to: "08:00"'))

    with pytest.raises(CatalogInvalid) as invalid:
        load_catalog(path, check_secrets=False)

    assert '"24:00" can only end one' in invalid.value.report()
    assert "catalog.yaml:" in invalid.value.report()

"""Overrides as stored on both backends: checked against the catalog with reasons that say what is wrong, kept
in UTC, listed, removed as history, and set aside (not deleted) when their schedule leaves the catalog."""

from datetime import timedelta, timezone

import pytest
from rota_catalog import CATALOG, NOW, at

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.overrides import (
    NewOverride,
    create_override,
    get_override,
    list_overrides,
    remove_override,
)
from watchkeeper.services.refusals import Conflict, NotFound, Refused


def new(**fields) -> NewOverride:
    values = {
        "schedule_id": "re-primary",
        "person": "ben",
        "replaces": "asha",
        "starts_at": at("2026-11-27 09:00"),
        "ends_at": at("2026-11-27 18:00"),
        "reason": "dentist",
    }
    return NewOverride(**(values | fields))


def test_an_override_is_stored_in_utc_and_listed_with_names(rotas):
    plus_one = timezone(timedelta(hours=1))
    made = create_override(
        rotas.db,
        NOW,
        new(starts_at=at("2026-11-27 10:00").astimezone(plus_one), ends_at=at("2026-11-27 18:00")),
        cli_actor("Asha Patel"),
    )

    listed = list_overrides(rotas.db, NOW, "re-primary")

    assert [o.id for o in listed] == [made.id]
    assert listed[0].starts_at == at("2026-11-27 10:00")
    assert listed[0].starts_at.utcoffset() == timedelta(0)
    assert (listed[0].person_name, listed[0].replaces_name) == ("Ben Okafor", "Asha Patel")
    assert (listed[0].author, listed[0].reason, listed[0].kind) == ("Asha Patel", "dentist", "override")
    assert listed[0].state == "scheduled"
    assert listed[0].applied is True
    assert get_override(rotas.db, NOW, made.id).as_json()["replaces"] == "asha"


def test_a_person_of_any_team_may_cover_and_the_whole_schedule_may_be_covered(rotas):
    made = create_override(rotas.db, NOW, new(person="fatima", replaces=None), cli_actor("Asha Patel"))

    assert (made.person_id, made.replaces) == ("fatima", None)


def test_a_start_in_the_past_becomes_now_since_who_was_on_call_cannot_change(rotas):
    made = create_override(rotas.db, NOW, new(starts_at=NOW - timedelta(hours=3)), cli_actor("Asha Patel"))

    assert made.starts_at == NOW
    assert made.state == "active"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"schedule_id": "re-primry"}, "no schedule 're-primry' in the catalog (did you mean re-primary?)"),
        ({"person": "bne"}, "person: no person 'bne' in the catalog (did you mean ben?)"),
        ({"person": "zed"}, "person: no person 'zed' in the catalog"),
        (
            {"replaces": "fatima"},
            "replaces: 'fatima' is not in the rotations of schedule re-primary (asha, ben, chen); "
            "leave it out to cover the whole schedule",
        ),
        ({"replaces": "ben"}, "replaces: ben cannot cover their own turns"),
        (
            {"replaces": "chen"},  # chen covers Monday nights only: nothing of his on Friday to cover
            "replaces: chen is not on call for schedule re-primary at any time in that period",
        ),
        ({"ends_at": at("2026-11-27 09:00")}, "the end must come after the start"),
        ({"ends_at": at("2026-11-26 11:00"), "starts_at": None}, "the end, 2026-11-26T11:00:00+00:00, has already"),
        ({"ends_at": at("2027-11-29 09:00")}, "is more than a year after the start"),
        ({"ends_at": at("2026-11-27 18:00").replace(tzinfo=None)}, "ends_at needs a UTC offset"),
        ({"reason": ""}, "reason is required"),
    ],
)
def test_a_wrong_override_is_refused_saying_what_is_wrong(rotas, fields, reason):
    with pytest.raises(Refused) as refused:
        create_override(rotas.db, NOW, new(**fields), cli_actor("Asha Patel"))

    assert reason in refused.value.message
    assert list_overrides(rotas.db, NOW, which="all") == []


def test_an_unknown_schedule_is_not_found(rotas):
    with pytest.raises(NotFound):
        create_override(rotas.db, NOW, new(schedule_id="nope"), cli_actor("Asha Patel"))


def test_a_removed_override_is_kept_as_history_and_cannot_be_removed_twice(rotas):
    made = create_override(rotas.db, NOW, new(starts_at=None), cli_actor("Asha Patel"))
    later = NOW + timedelta(hours=1)

    removed = remove_override(rotas.db, later, made.id, cli_actor("Ben Okafor"))
    with pytest.raises(Conflict, match="has already ended"):
        remove_override(rotas.db, later, made.id, cli_actor("Ben Okafor"))

    assert [(o.id, o.state, o.removed_at, o.removed_by) for o in removed] == [(made.id, "removed", later, "Ben Okafor")]
    assert list_overrides(rotas.db, later, "re-primary") == []
    assert [o.state for o in list_overrides(rotas.db, later, "re-primary", "all")] == ["removed"]


def test_removing_needs_a_name_and_an_override_that_exists(rotas):
    made = create_override(rotas.db, NOW, new(), cli_actor("Asha Patel"))

    with pytest.raises(Refused, match="the name of who removes it is required"):
        remove_override(rotas.db, NOW, made.id, cli_actor(" "))
    with pytest.raises(NotFound, match="no override 999"):
        remove_override(rotas.db, NOW, 999, cli_actor("Ben"))


def test_an_override_whose_schedule_left_the_catalog_is_kept_but_not_applied(rotas):
    made = create_override(rotas.db, NOW, new(), cli_actor("Asha Patel"))

    rotas.apply(CATALOG.replace("id: re-primary", "id: re-main"))

    kept = list_overrides(rotas.db, NOW, "re-primary")
    assert [(o.id, o.applied) for o in kept] == [(made.id, False)]
    assert list_overrides(rotas.db, NOW) == kept


def test_listing_an_unknown_schedule_without_overrides_names_the_closest(rotas):
    with pytest.raises(NotFound, match="did you mean re-primary"):
        list_overrides(rotas.db, NOW, "re-primay")

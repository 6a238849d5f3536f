"""Swaps and covers on both backends: shifts named by person and an instant, exchanged by two overrides written
together, refused with the reason when the instant is not in that person's shift; and the overrides reach the
on-call maths (newest wins; a removed one stops at its removal; a swap is removed whole)."""

import threading
from datetime import timedelta

import pytest
from rota_catalog import NOW, at

from watchkeeper.domain.oncall import on_call, shifts
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.overrides import (
    NewOverride,
    applied_overrides,
    create_override,
    known_schedule,
    list_overrides,
    remove_override,
)
from watchkeeper.services.refusals import Refused
from watchkeeper.services.rotas import rota_of
from watchkeeper.services.swaps import Cover, ShiftAt, Swap, cover_shift, swap_shifts
from watchkeeper.store.contention import Contended


def who(rotas, instant, schedule_id="re-primary"):
    with rotas.db.reading() as connection:
        facts = known_schedule(connection, schedule_id)
        overrides = applied_overrides(connection, schedule_id, instant, instant + timedelta(seconds=1))
    return on_call(rota_of(facts.schedule), overrides, instant)


def shift_list(rotas, start, end):
    with rotas.db.reading() as connection:
        facts = known_schedule(connection, "re-primary")
        overrides = applied_overrides(connection, "re-primary", start, end)
    return [(s.person, s.start, s.end) for s in shifts(rota_of(facts.schedule), overrides, start, end)]


def swap(rotas, first=("asha", "2026-11-27 10:00"), second=("ben", "2026-12-03 10:00"), now=NOW):
    made = Swap("re-primary", ShiftAt(first[0], at(first[1])), ShiftAt(second[0], at(second[1])), "holiday")
    return swap_shifts(rotas.db, now, made, cli_actor("Asha Patel"))


def test_the_rota_alone_gives_the_shifts_the_catalog_describes(rotas):
    assert shift_list(rotas, NOW, at("2026-12-03 00:00")) == [
        ("asha", NOW, at("2026-11-30 17:30")),
        ("chen", at("2026-11-30 17:30"), at("2026-12-01 09:30")),
        ("asha", at("2026-12-01 09:30"), at("2026-12-02 09:30")),
        ("ben", at("2026-12-02 09:30"), at("2026-12-03 00:00")),
    ]


def test_a_swap_exchanges_two_shifts_from_now_on_and_leaves_the_others(rotas):
    mine, theirs = swap(rotas)

    assert (mine.person_id, mine.replaces, mine.starts_at, mine.ends_at) == ("ben", "asha", NOW, at("2026-11-30 17:30"))
    assert (theirs.person_id, theirs.replaces) == ("asha", "ben")
    assert (theirs.starts_at, theirs.ends_at) == (at("2026-12-02 09:30"), at("2026-12-07 17:30"))
    assert (mine.kind, mine.swap_with, theirs.swap_with) == ("swap", theirs.id, mine.id)
    assert (mine.author, mine.reason) == ("Asha Patel", "holiday")
    assert who(rotas, at("2026-11-28 12:00")) == "ben"
    assert who(rotas, at("2026-12-03 12:00")) == "asha"
    assert who(rotas, at("2026-11-30 20:00")) == "chen"  # the weeknight layer's shift in between is not theirs
    assert who(rotas, at("2026-12-01 12:00")) == "asha"


def test_removing_either_half_of_a_swap_removes_both(rotas):
    mine, theirs = swap(rotas)

    removed = remove_override(rotas.db, NOW + timedelta(minutes=5), theirs.id, cli_actor("Ben"))

    assert sorted(o.id for o in removed) == sorted([mine.id, theirs.id])
    assert who(rotas, at("2026-11-28 12:00")) == "asha"
    assert who(rotas, at("2026-12-03 12:00")) == "ben"


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        (
            ("ben", "2026-11-27 10:00"),
            ("asha", "2026-12-03 10:00"),
            "ben is not on call on re-primary at 2026-11-27 10:00 UTC: "
            "asha is (2026-11-25 09:30 to 2026-11-30 17:30 UTC)",
        ),
        (("asha", "2026-11-27 10:00"), ("asha", "2026-12-01 10:00"), "a swap needs two people"),
        (("asha", "2026-11-20 10:00"), ("ben", "2026-12-03 10:00"), "asha is not on call on re-primary"),
        (
            ("asha", "2026-11-25 09:00"),
            ("chen", "2026-11-30 18:00"),
            "ben is (2026-11-24 09:30 to 2026-11-25 09:30 UTC)",
        ),
        (("asha", "2026-11-27 10:00"), ("zed", "2026-12-03 10:00"), "with: no person 'zed' in the catalog"),
    ],
)
def test_a_swap_whose_instant_is_not_in_that_persons_shift_is_refused_and_writes_nothing(rotas, first, second, reason):
    with pytest.raises(Refused) as refused:
        swap(rotas, first, second)

    assert reason in refused.value.message
    assert list_overrides(rotas.db, NOW, which="all") == []


def test_a_shift_that_has_ended_cannot_be_swapped(rotas):
    with pytest.raises(Refused, match="has ended; only shifts to come can change"):
        swap(rotas, ("chen", "2026-11-30 20:00"), ("ben", "2026-12-03 10:00"), now=at("2026-12-01 10:00"))


def test_the_same_shift_swapped_twice_is_refused_the_second_time(rotas):
    swap(rotas)

    with pytest.raises(Refused, match="asha is not on call on re-primary at 2026-11-27 10:00 UTC: ben is"):
        swap(rotas)


def test_two_swaps_of_one_shift_at_the_same_moment_write_one_swap(rotas):
    """Two people each try to swap Asha's Friday at once: the schedule's lock puts one after the other, and the
    second finds the shift is Ben's now, so exactly two overrides (one swap) are written."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            swap(rotas)
            outcomes.append("swapped")
        except Refused as refused:
            outcomes.append(refused.message)
        except Contended:
            outcomes.append("contended")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("swapped") == 1, outcomes
    [refused] = [outcome for outcome in outcomes if outcome != "swapped"]
    assert refused.startswith("asha is not on call on re-primary at 2026-11-27 10:00 UTC: ben is"), refused
    assert len(list_overrides(rotas.db, NOW, which="all")) == 2
    assert who(rotas, at("2026-11-27 10:00")) == "ben"


def test_a_cover_takes_part_of_a_shift_for_its_person(rotas):
    made = cover_shift(
        rotas.db,
        NOW,
        Cover("re-primary", "fatima", ShiftAt("ben", at("2026-12-04 12:00")), "school run",
              at("2026-12-04 08:00"), at("2026-12-04 10:00")), cli_actor("Ben"),
    )  # fmt: skip

    assert (made.person_id, made.replaces, made.kind) == ("fatima", "ben", "cover")
    assert shift_list(rotas, at("2026-12-04 00:00"), at("2026-12-05 00:00")) == [
        ("ben", at("2026-12-04 00:00"), at("2026-12-04 08:00")),
        ("fatima", at("2026-12-04 08:00"), at("2026-12-04 10:00")),
        ("ben", at("2026-12-04 10:00"), at("2026-12-05 00:00")),
    ]


def test_a_cover_of_the_whole_shift_and_a_cover_outside_it(rotas):
    whole = cover_shift(rotas.db, NOW, Cover("re-primary", "chen", ShiftAt("asha", NOW), "ill"), cli_actor("Asha"))

    with pytest.raises(Refused, match=r"to: 2026-12-09 10:00 UTC is outside ben's shift"):
        cover_shift(
            rotas.db,
            NOW,
            Cover("re-primary", "fatima", ShiftAt("ben", at("2026-12-03 10:00")), "r", None, at("2026-12-09 10:00")),
            cli_actor("A"),
        )

    assert (whole.starts_at, whole.ends_at) == (NOW, at("2026-11-30 17:30"))
    assert who(rotas, at("2026-11-29 12:00")) == "chen"


def test_the_newest_override_wins_and_a_removed_one_stops_at_its_removal(rotas):
    def override(person):
        made = NewOverride("re-primary", person, "r", None, NOW, at("2026-11-28 00:00"))
        return create_override(rotas.db, NOW, made, cli_actor("Asha Patel"))

    override("ben")
    newest = override("fatima")
    removed_at = at("2026-11-27 00:00")
    remove_override(rotas.db, removed_at, newest.id, cli_actor("A"))

    assert who(rotas, at("2026-11-26 18:00")) == "fatima"  # it held until it was removed
    assert who(rotas, at("2026-11-27 06:00")) == "ben"
    assert who(rotas, at("2026-11-28 06:00")) == "asha"


def test_an_override_for_someone_who_left_the_catalog_is_not_applied(rotas):
    from rota_catalog import CATALOG

    create_override(
        rotas.db, NOW, NewOverride("re-primary", "fatima", "r", None, NOW, at("2026-11-28 00:00")), cli_actor("A")
    )
    rotas.apply(
        CATALOG.replace(
            "{id: fatima, name: Fatima Hussain, email: fatima@example.org}", "{id: gita, name: G, email: g@example.org}"
        )
    )

    assert who(rotas, at("2026-11-27 06:00")) == "asha"
    assert [o.applied for o in list_overrides(rotas.db, NOW)] == [False]


def test_the_question_escalation_asks_sees_overrides_and_names_whoever_covers(rotas):
    from watchkeeper.services.oncall import person_on_call

    create_override(
        rotas.db, NOW, NewOverride("re-primary", "fatima", "r", "asha", NOW, at("2026-11-28 00:00")), cli_actor("A")
    )

    with rotas.db.reading() as connection:
        covering = person_on_call(connection, "re-primary", at("2026-11-27 06:00"))
        after = person_on_call(connection, "re-primary", at("2026-11-28 06:00"))

    assert covering is not None
    assert (covering.id, covering.name) == ("fatima", "Fatima Hussain")
    assert after is not None
    assert after.id == "asha"

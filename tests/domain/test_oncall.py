"""On-call maths by example: handoffs on local wall-clock time across the clock changes of London, New York and
Sydney, restrictions that mask, layers that show through, overrides, gaps, and what is refused."""

import time as timer
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from watchkeeper.domain.oncall import (
    Layer,
    Override,
    Rota,
    Shift,
    Window,
    gaps,
    instant_of,
    layer_on_call,
    layer_shifts,
    on_call,
    shifts,
)

LONDON, NEW_YORK, SYDNEY = "Europe/London", "America/New_York", "Australia/Sydney"
WEEK, DAY, HOUR = timedelta(weeks=1), timedelta(days=1), timedelta(hours=1)
MON_TO_THU = frozenset({0, 1, 2, 3})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(*parts: int) -> datetime:
    return datetime(*parts)


def re_primary() -> Rota:
    """The example catalog's re-primary: weekly on Wednesdays at 09:30, with weeknight cover on top."""
    weekly = Layer(local(2026, 1, 7, 9, 30), ("asha", "ben", "chen", "dami"), WEEK)
    cover = Layer(local(2026, 1, 5, 17, 30), ("ben", "dami"), DAY, (Window(MON_TO_THU, time(17, 30), time(9, 30)),))
    return Rota(LONDON, (weekly, cover))


def handoffs(rota: Rota, index: int, start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    return [(s.person, s.start, s.end) for s in layer_shifts(rota, index, start, end)]


def rows(found: tuple[Shift, ...]) -> list[tuple[str, datetime, datetime, int | None]]:
    return [(s.person, s.start, s.end, s.layer) for s in found]


# The instant rule


def test_a_time_that_occurs_once_is_that_instant():
    assert instant_of(local(2026, 1, 7, 9, 30), LONDON) == utc(2026, 1, 7, 9, 30)
    assert instant_of(local(2026, 7, 1, 9, 30), LONDON) == utc(2026, 7, 1, 8, 30)


def test_a_skipped_time_is_the_instant_the_clocks_change():
    # London goes from 01:00 GMT straight to 02:00 BST at 01:00 UTC on 29 March 2026.
    assert instant_of(local(2026, 3, 29, 0, 59), LONDON) == utc(2026, 3, 29, 0, 59)
    assert instant_of(local(2026, 3, 29, 1, 0), LONDON) == utc(2026, 3, 29, 1, 0)
    assert instant_of(local(2026, 3, 29, 1, 30), LONDON) == utc(2026, 3, 29, 1, 0)
    assert instant_of(local(2026, 3, 29, 2, 0), LONDON) == utc(2026, 3, 29, 1, 0)
    assert instant_of(local(2026, 3, 29, 2, 1), LONDON) == utc(2026, 3, 29, 1, 1)
    # New York skips 02:00-03:00 at 07:00 UTC on 8 March; Sydney 02:00-03:00 at 16:00 UTC on 3 October.
    assert instant_of(local(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 0)
    assert instant_of(local(2026, 10, 4, 2, 30), SYDNEY) == utc(2026, 10, 3, 16, 0)


def test_a_repeated_time_is_its_first_occurrence():
    # London's 01:00-02:00 happens twice on 25 October 2026: first in BST (00:00-01:00 UTC), then in GMT.
    assert instant_of(local(2026, 10, 25, 1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    assert instant_of(local(2026, 10, 25, 2, 0), LONDON) == utc(2026, 10, 25, 2, 0)
    assert instant_of(local(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert instant_of(local(2026, 4, 5, 2, 30), SYDNEY) == utc(2026, 4, 4, 15, 30)


def test_zoneinfo_alone_would_put_a_skipped_time_after_a_later_one():
    # Why the rule exists: fold=0 reads 01:30 with the winter offset, half an hour after 02:00 BST.
    zone = ZoneInfo(LONDON)
    naive_reading = local(2026, 3, 29, 1, 30).replace(tzinfo=zone).astimezone(UTC)

    assert naive_reading > local(2026, 3, 29, 2, 0).replace(tzinfo=zone).astimezone(UTC)
    assert instant_of(local(2026, 3, 29, 1, 30), LONDON) <= instant_of(local(2026, 3, 29, 2, 0), LONDON)


# Handoffs on wall-clock time


def test_the_weekly_wednesday_handoff_stays_at_0930_local_across_both_changes():
    rota = re_primary()

    spring = handoffs(rota, 0, utc(2026, 3, 20), utc(2026, 4, 5))
    autumn = handoffs(rota, 0, utc(2026, 10, 20), utc(2026, 11, 1))

    assert [start for _, start, _ in spring[1:]] == [utc(2026, 3, 25, 9, 30), utc(2026, 4, 1, 8, 30)]
    assert [start for _, start, _ in autumn[1:]] == [utc(2026, 10, 21, 8, 30), utc(2026, 10, 28, 9, 30)]
    # The weeks that hold a change are an hour shorter or longer; nobody's turn moves off 09:30.
    assert spring[1][2] - spring[1][1] == WEEK - HOUR
    assert autumn[1][2] - autumn[1][1] == WEEK + HOUR


def test_the_weekly_turns_go_round_the_people_in_order():
    rota = re_primary()

    found = handoffs(rota, 0, utc(2026, 1, 7, 9, 30), utc(2026, 2, 11, 9, 30))

    assert [person for person, _, _ in found] == ["asha", "ben", "chen", "dami", "asha"]


def test_re_primary_weeknight_cover_shows_through_to_the_weekly_layer():
    rota = re_primary()
    # Week of the spring change: Wednesday 25 March (GMT) to Wednesday 1 April (BST); dami is weekly on call.
    found = rows(shifts(rota, [], utc(2026, 3, 25), utc(2026, 4, 2)))

    assert found == [
        ("ben", utc(2026, 3, 25, 0, 0), utc(2026, 3, 25, 9, 30), 1),  # Tue 17:30 -> Wed 09:30 GMT
        ("dami", utc(2026, 3, 25, 9, 30), utc(2026, 3, 25, 17, 30), 0),
        ("dami", utc(2026, 3, 25, 17, 30), utc(2026, 3, 26, 9, 30), 1),
        ("dami", utc(2026, 3, 26, 9, 30), utc(2026, 3, 26, 17, 30), 0),
        ("ben", utc(2026, 3, 26, 17, 30), utc(2026, 3, 27, 9, 30), 1),
        # Friday 09:30 GMT to Monday 17:30 BST: no cover at weekends, and the clocks change in between.
        ("dami", utc(2026, 3, 27, 9, 30), utc(2026, 3, 30, 16, 30), 0),
        ("ben", utc(2026, 3, 30, 16, 30), utc(2026, 3, 31, 8, 30), 1),
        ("dami", utc(2026, 3, 31, 8, 30), utc(2026, 3, 31, 16, 30), 0),
        ("dami", utc(2026, 3, 31, 16, 30), utc(2026, 4, 1, 8, 30), 1),
        ("asha", utc(2026, 4, 1, 8, 30), utc(2026, 4, 1, 16, 30), 0),
        ("ben", utc(2026, 4, 1, 16, 30), utc(2026, 4, 2, 0, 0), 1),
    ]
    assert gaps(rota, [], utc(2026, 3, 25), utc(2026, 4, 2)) == ()


def test_a_0130_daily_handoff_in_the_skipped_hour_happens_when_the_clocks_change():
    rota = Rota(LONDON, (Layer(local(2026, 3, 27, 1, 30), ("early", "late"), DAY),))

    found = handoffs(rota, 0, utc(2026, 3, 27, 1, 30), utc(2026, 3, 31))

    assert found == [
        ("early", utc(2026, 3, 27, 1, 30), utc(2026, 3, 28, 1, 30)),
        ("late", utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 0)),  # 23 h 30 min: 01:30 does not exist
        ("early", utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)),  # 01:30 BST on Monday
        ("late", utc(2026, 3, 30, 0, 30), utc(2026, 3, 31)),
    ]


def test_a_0130_daily_handoff_in_the_repeated_hour_happens_at_the_first_0130():
    rota = Rota(LONDON, (Layer(local(2026, 10, 23, 1, 30), ("early", "late"), DAY),))

    found = handoffs(rota, 0, utc(2026, 10, 23), utc(2026, 10, 27))

    assert found == [
        ("early", utc(2026, 10, 23, 0, 30), utc(2026, 10, 24, 0, 30)),
        ("late", utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30)),  # 01:30 BST, the first of two
        ("early", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),  # 25 hours
        ("late", utc(2026, 10, 26, 1, 30), utc(2026, 10, 27)),
    ]
    assert layer_on_call(rota, 0, utc(2026, 10, 25, 1, 30)) == "early"  # the second 01:30 GMT


def test_an_hourly_turn_that_falls_wholly_in_the_skipped_hour_is_skipped():
    rota = Rota(LONDON, (Layer(local(2026, 3, 29, 0, 0), ("a", "b", "c"), HOUR),))

    found = handoffs(rota, 0, utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 3, 0))

    assert found == [
        ("a", utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 0)),
        # b's turn, 01:00 to 02:00 local, never happens; c's runs 02:00 to 03:00 BST as planned.
        ("c", utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0)),
        ("a", utc(2026, 3, 29, 2, 0), utc(2026, 3, 29, 3, 0)),
    ]


def test_new_york_keeps_its_monday_0900_handoff_across_both_changes():
    rota = Rota(NEW_YORK, (Layer(local(2026, 1, 5, 9, 0), ("ana", "bo"), WEEK),))

    spring = handoffs(rota, 0, utc(2026, 3, 1), utc(2026, 3, 15))
    autumn = handoffs(rota, 0, utc(2026, 10, 25), utc(2026, 11, 8))

    assert [start for _, start, _ in spring[1:]] == [utc(2026, 3, 2, 14, 0), utc(2026, 3, 9, 13, 0)]
    assert [start for _, start, _ in autumn[1:]] == [utc(2026, 10, 26, 13, 0), utc(2026, 11, 2, 14, 0)]


def test_sydney_handoffs_at_0230_fall_in_its_repeated_april_hour_and_skipped_october_hour():
    rota = Rota(SYDNEY, (Layer(local(2026, 1, 4, 2, 30), ("kai", "lee"), WEEK),))

    april = handoffs(rota, 0, utc(2026, 4, 1), utc(2026, 4, 12))
    october = handoffs(rota, 0, utc(2026, 9, 30), utc(2026, 10, 12))

    # 02:30 on Sunday 5 April happens twice: at 15:30 UTC (AEDT) and 16:30 UTC (AEST); the first counts.
    assert april[1][1] == utc(2026, 4, 4, 15, 30)
    assert april[1][2] - april[1][1] == WEEK + HOUR
    # 02:30 on Sunday 4 October does not happen: the handoff is at 16:00 UTC, when 02:00 becomes 03:00.
    assert october[1][1] == utc(2026, 10, 3, 16, 0)
    assert october[1][2] == utc(2026, 10, 10, 15, 30)


# Restrictions


def test_a_restriction_across_midnight_masks_the_layer_and_the_lower_layer_shows_through():
    rota = re_primary()
    tuesday_night, friday_night = utc(2026, 1, 13, 23, 0), utc(2026, 1, 16, 23, 0)

    assert layer_on_call(rota, 1, tuesday_night) == "ben"  # Tuesday's turn of the cover layer
    assert on_call(rota, [], tuesday_night) == "ben"
    assert layer_on_call(rota, 1, friday_night) is None  # Friday night is not restricted in
    assert on_call(rota, [], friday_night) == "ben"  # the weekly layer: ben's week (14 to 21 January)
    assert on_call(rota, [], utc(2026, 1, 14, 23, 0)) == "dami"  # Wednesday: the cover layer's turn


def test_restricted_turns_keep_counting_while_masked():
    # Daily turns over a weekday-only window: Monday's person on Friday night would be the same as unmasked.
    layer = Layer(
        local(2026, 1, 5, 9, 0), ("a", "b", "c"), DAY, (Window(frozenset({0, 1, 2, 3, 4}), time(9), time(17)),)
    )
    rota = Rota(LONDON, (layer,))

    week = [layer_on_call(rota, 0, utc(2026, 1, day, 12)) for day in range(5, 13)]

    assert week == ["a", "b", "c", "a", "b", None, None, "b"]  # Sat and Sun off; Monday 12th is turn 7


def test_a_window_that_ends_when_it_starts_lasts_24_hours():
    layer = Layer(local(2026, 1, 5, 0, 0), ("a",), WEEK, (Window(frozenset({2}), time(12), time(12)),))
    rota = Rota(LONDON, (layer,))

    assert handoffs(rota, 0, utc(2026, 1, 5), utc(2026, 1, 12)) == [("a", utc(2026, 1, 7, 12), utc(2026, 1, 8, 12))]


def test_a_window_boundary_in_the_skipped_hour_moves_to_the_change():
    layer = Layer(local(2026, 3, 1, 0, 0), ("a",), WEEK, (Window(frozenset({6}), time(1, 30), time(4, 0)),))
    rota = Rota(LONDON, (layer,))

    assert handoffs(rota, 0, utc(2026, 3, 29), utc(2026, 3, 30)) == [
        ("a", utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 3, 0))  # 02:00 BST to 04:00 BST: two real hours
    ]


def test_before_its_start_a_layer_does_not_apply():
    rota = re_primary()

    assert layer_on_call(rota, 0, utc(2026, 1, 7, 9, 29)) is None
    assert on_call(rota, [], utc(2026, 1, 7, 9, 29)) == "dami"  # cover: Tuesday 6th's turn
    assert on_call(rota, [], utc(2026, 1, 7, 9, 30)) == "asha"
    assert gaps(rota, [], utc(2026, 1, 1), utc(2026, 1, 8)) == (
        (utc(2026, 1, 1), utc(2026, 1, 5, 17, 30)),
        (utc(2026, 1, 6, 9, 30), utc(2026, 1, 6, 17, 30)),  # the cover layer's daytime, weekly not begun
    )


# Overrides


def test_an_override_that_replaces_someone_covers_only_their_time():
    rota = re_primary()
    cover = Override(utc(2026, 1, 13, 12), utc(2026, 1, 15, 12), person="ellis", replaces="ben")

    found = rows(shifts(rota, [cover], utc(2026, 1, 13), utc(2026, 1, 16)))

    assert found == [
        ("dami", utc(2026, 1, 13, 0, 0), utc(2026, 1, 13, 9, 30), 1),
        ("asha", utc(2026, 1, 13, 9, 30), utc(2026, 1, 13, 17, 30), 0),
        ("ellis", utc(2026, 1, 13, 17, 30), utc(2026, 1, 14, 17, 30), None),  # ben's cover night, then his week
        ("dami", utc(2026, 1, 14, 17, 30), utc(2026, 1, 15, 9, 30), 1),  # dami is not replaced
        ("ellis", utc(2026, 1, 15, 9, 30), utc(2026, 1, 15, 12, 0), None),
        ("ben", utc(2026, 1, 15, 12, 0), utc(2026, 1, 15, 17, 30), 0),  # the override has ended
        ("ben", utc(2026, 1, 15, 17, 30), utc(2026, 1, 16, 0, 0), 1),
    ]
    assert on_call(rota, [cover], utc(2026, 1, 14, 20)) == "dami"
    assert on_call(rota, [cover], utc(2026, 1, 13, 20)) == "ellis"


def test_an_override_of_the_whole_schedule_covers_gaps_too_and_the_last_override_wins():
    rota = Rota(LONDON, (Layer(local(2026, 1, 5, 9), ("a",), DAY, (Window(frozenset({0}), time(9), time(17)),)),))
    whole = Override(utc(2026, 1, 5, 12), utc(2026, 1, 5, 20), person="x")
    later = Override(utc(2026, 1, 5, 14), utc(2026, 1, 5, 15), person="y")

    found = rows(shifts(rota, [whole, later], utc(2026, 1, 5), utc(2026, 1, 6)))

    assert found == [
        ("a", utc(2026, 1, 5, 9), utc(2026, 1, 5, 12), 0),
        ("x", utc(2026, 1, 5, 12), utc(2026, 1, 5, 14), None),
        ("y", utc(2026, 1, 5, 14), utc(2026, 1, 5, 15), None),
        ("x", utc(2026, 1, 5, 15), utc(2026, 1, 5, 20), None),
    ]
    assert on_call(rota, [later, whole], utc(2026, 1, 5, 14, 30)) == "x"  # order decides


def test_people_swapping_shifts_replace_each_other_by_what_the_layers_say():
    rota = Rota(LONDON, (Layer(local(2026, 1, 5, 9), ("a", "b"), DAY),))
    swap = [
        Override(utc(2026, 1, 5, 9), utc(2026, 1, 7, 9), person="b", replaces="a"),
        Override(utc(2026, 1, 5, 9), utc(2026, 1, 7, 9), person="a", replaces="b"),
    ]

    assert [on_call(rota, swap, utc(2026, 1, day, 12)) for day in (5, 6, 7)] == ["b", "a", "a"]


def test_adjacent_pieces_of_one_person_from_one_layer_merge():
    rota = Rota(LONDON, (Layer(local(2026, 1, 5, 9), ("a", "a", "b"), DAY),))

    assert shifts(rota, [], utc(2026, 1, 5, 9), utc(2026, 1, 8, 9)) == (
        Shift("a", utc(2026, 1, 5, 9), utc(2026, 1, 7, 9), 0),
        Shift("b", utc(2026, 1, 7, 9), utc(2026, 1, 8, 9), 0),
    )


def test_instants_in_other_zones_give_utc_answers():
    rota = re_primary()
    paris = datetime(2026, 1, 14, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))

    found = shifts(rota, [], paris, paris + DAY)

    assert found[0].start == utc(2026, 1, 14, 9, 30)
    assert found[0].start.tzinfo is UTC


# What is refused


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Layer(local(2026, 1, 1), (), DAY), "at least one person"),
        (lambda: Layer(local(2026, 1, 1), ("a",), timedelta(minutes=59)), "at least an hour"),
        (lambda: Layer(utc(2026, 1, 1), ("a",), DAY), "without a zone"),
        (lambda: Window(frozenset({7}), time(1), time(2)), "numbered 0"),
        (lambda: Rota("Europe/Londn", ()), "unknown timezone"),
        (lambda: Override(utc(2026, 1, 2), utc(2026, 1, 1), "a"), "end after it starts"),
        (lambda: Override(local(2026, 1, 1), utc(2026, 1, 2), "a"), "aware"),
        (lambda: on_call(re_primary(), [], local(2026, 1, 1)), "aware"),
    ],
)
def test_bad_values_are_refused_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_an_empty_or_backward_range_has_no_shifts_and_no_gaps():
    assert shifts(re_primary(), [], utc(2026, 2, 1), utc(2026, 2, 1)) == ()
    assert gaps(re_primary(), [], utc(2026, 2, 2), utc(2026, 2, 1)) == ()


def test_fourteen_days_of_a_weekly_rota_with_restrictions_take_well_under_10_ms():
    rota, cover = re_primary(), [Override(utc(2026, 3, 30), utc(2026, 4, 1), "ellis", "ben")]
    timings = []
    for _ in range(5):
        began = timer.perf_counter()
        found = shifts(rota, cover, utc(2026, 3, 22), utc(2026, 4, 5))
        timings.append(timer.perf_counter() - began)

    assert len(found) > 10
    assert min(timings) < 0.010

"""PagerDuty restrictions (a start and a length, daily or weekly) become `restrict` windows that cover exactly
the same minutes of the week, read the catalog's way: a window that ends at or before it starts runs on past
midnight."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.catalog.teams import Restriction as Window
from watchkeeper.importers.pagerduty.restrictions import DAY, WEEK, Restriction, windows

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _pagerduty_minutes(restriction: Restriction) -> set[int]:
    """The minutes of the week a restriction covers, as PagerDuty defines it."""
    first = restriction.start // 60
    length = (restriction.start + restriction.length) // 60 - first
    starts = [restriction.day * DAY + first] if restriction.weekly else [day * DAY + first for day in range(7)]
    return {(start + minute) % WEEK for start in starts for minute in range(length)}


def _catalog_minutes(spec: dict[str, Any]) -> set[int]:
    """The minutes of the week one of our windows covers, read through the catalog's own model."""
    window = Window.model_validate(spec)
    start = window.from_.hour * 60 + window.from_.minute
    end = DAY if window.to.hour == 23 and window.to.microsecond else window.to.hour * 60 + window.to.minute
    length = end - start if end > start else end + DAY - start  # at or before the start: past midnight
    return {(DAYS.index(day) * DAY + start + minute) % WEEK for day in window.days for minute in range(length)}


def _covered(specs: list[dict[str, Any]]) -> set[int]:
    return set().union(*(_catalog_minutes(spec) for spec in specs)) if specs else set()


restrictions = st.builds(
    lambda weekly, day, start, length: Restriction(weekly, day if weekly else 0, start * 60, length * 60),
    st.booleans(),
    st.integers(0, 6),
    st.integers(0, DAY - 1),
    st.integers(1, WEEK),
).filter(lambda r: r.weekly or r.length <= 86400)


@given(st.lists(restrictions, min_size=1, max_size=4))
def test_the_windows_cover_exactly_the_minutes_the_restrictions_cover(given_restrictions: list[Restriction]) -> None:
    expected = set().union(*(_pagerduty_minutes(r) for r in given_restrictions))

    assert _covered(windows(given_restrictions)) == expected


def test_weeknight_restrictions_with_the_same_hours_are_one_window_with_their_days() -> None:
    weeknights = [Restriction(True, day, 17 * 3600 + 1800, 16 * 3600) for day in range(4)]

    assert windows(weeknights) == [{"days": ["mon", "tue", "wed", "thu"], "from": "17:30", "to": "09:30"}]


def test_a_daily_restriction_applies_every_day_so_it_names_no_days() -> None:
    assert windows([Restriction(False, 0, 9 * 3600, 8 * 3600)]) == [{"from": "09:00", "to": "17:00"}]


def test_a_restriction_ending_at_midnight_ends_at_24_00() -> None:
    assert windows([Restriction(True, 4, 18 * 3600, 6 * 3600)]) == [{"days": ["fri"], "from": "18:00", "to": "24:00"}]


def test_a_weekend_from_friday_evening_is_split_at_each_midnight() -> None:
    weekend = Restriction(True, 4, 18 * 3600, (6 + 48 + 9) * 3600)  # Friday 18:00 to Monday 09:00

    assert windows([weekend]) == [
        {"days": ["fri"], "from": "18:00", "to": "24:00"},
        {"days": ["sat", "sun"], "from": "00:00", "to": "24:00"},
        {"days": ["mon"], "from": "00:00", "to": "09:00"},
    ]


def test_a_whole_day_from_mid_morning_is_one_window_that_ends_as_it_starts() -> None:
    assert windows([Restriction(True, 6, 10 * 3600, 86400)]) == [{"days": ["sun"], "from": "10:00", "to": "10:00"}]


def test_seconds_are_moved_back_to_their_minute() -> None:
    odd = Restriction(False, 0, 9 * 3600 + 30, 3600)

    assert not odd.whole_minutes()
    assert windows([odd]) == [{"from": "09:00", "to": "10:00"}]

"""Support hours in the organisation's timezone, with UK bank holidays computed offline."""

from datetime import UTC, date, datetime, time

import pytest

from watchkeeper.domain.bank_holidays import bank_holiday, bank_holidays
from watchkeeper.domain.support_hours import OFFICE_HOURS, SupportHours, in_hours, why_out_of_hours

WEEKDAYS = frozenset({"mon", "tue", "wed", "thu", "fri"})
LONDON = SupportHours(WEEKDAYS, time(9, 30), time(17, 30), "Europe/London", "england-and-wales")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_the_start_is_in_hours_and_the_end_is_not():
    tuesday = (2026, 1, 13)

    assert not in_hours(LONDON, _at(*tuesday, 9, 29, 59))
    assert in_hours(LONDON, _at(*tuesday, 9, 30))
    assert in_hours(LONDON, _at(*tuesday, 17, 29, 59))
    assert not in_hours(LONDON, _at(*tuesday, 17, 30))


def test_days_outside_the_support_days_are_out_of_hours():
    assert not in_hours(LONDON, _at(2026, 1, 17, 12, 0))  # a Saturday
    assert why_out_of_hours(LONDON, _at(2026, 1, 17, 12, 0)) == "Saturday is not a support day"


def test_local_time_follows_the_clocks_across_the_change_to_summer_time():
    # The clocks went forward on Sunday 29 March 2026: 09:30 in London is 09:30 UTC before, 08:30 UTC after.
    friday_before, monday_after = (2026, 3, 27), (2026, 3, 30)

    assert not in_hours(LONDON, _at(*friday_before, 9, 0))
    assert in_hours(LONDON, _at(*friday_before, 9, 30))
    assert in_hours(LONDON, _at(*monday_after, 8, 30))
    assert not in_hours(LONDON, _at(*monday_after, 16, 30))  # 17:30 BST


def test_local_time_follows_the_clocks_back_in_autumn():
    # Back on Sunday 25 October 2026: Friday's 17:00 UTC is 18:00 BST, Monday's is 17:00 GMT.
    assert not in_hours(LONDON, _at(2026, 10, 23, 17, 0))
    assert in_hours(LONDON, _at(2026, 10, 26, 17, 0))


def test_hours_inside_the_spring_gap_never_happen():
    every_day = frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
    gap = SupportHours(every_day, time(1, 0), time(2, 0), "Europe/London")

    assert not in_hours(gap, _at(2026, 3, 29, 0, 59))  # 00:59 GMT
    assert not in_hours(gap, _at(2026, 3, 29, 1, 0))  # 02:00 BST: 01:00-02:00 was skipped
    assert in_hours(gap, _at(2026, 3, 30, 0, 30))  # 01:30 BST the next day


def test_a_bank_holiday_is_out_of_hours_in_its_calendar_only():
    easter_monday = _at(2026, 4, 6, 12, 0)
    scotland = SupportHours(WEEKDAYS, time(9, 30), time(17, 30), "Europe/London", "scotland")
    no_calendar = SupportHours(WEEKDAYS, time(9, 30), time(17, 30), "Europe/London", "none")

    assert not in_hours(LONDON, easter_monday)
    assert why_out_of_hours(LONDON, easter_monday) == "2026-04-06 is a bank holiday (Easter Monday)"
    assert in_hours(scotland, easter_monday)  # not a bank holiday in Scotland
    assert in_hours(no_calendar, easter_monday)


@pytest.mark.parametrize(
    ("day", "england_and_wales", "scotland"),
    [
        (date(2026, 1, 2), None, "New Year Holiday"),
        (date(2026, 8, 3), None, "Summer Bank Holiday"),  # Scotland's is the first Monday of August
        (date(2026, 8, 31), "Late Summer Bank Holiday", None),
        (date(2026, 11, 30), None, "Saint Andrew's Day"),
        (date(2025, 12, 1), None, "Saint Andrew's Day (observed)"),  # 30 November 2025 was a Sunday
    ],
)
def test_scotland_and_england_differ(day, england_and_wales, scotland):
    assert bank_holiday("england-and-wales", day) == england_and_wales
    assert bank_holiday("scotland", day) == scotland


def test_substitute_days_follow_a_holiday_at_the_weekend():
    # 25 and 26 December 2027 are a Saturday and a Sunday: Monday 27 and Tuesday 28 are the bank holidays.
    assert bank_holiday("england-and-wales", date(2027, 12, 27)) == "Christmas Day (observed)"
    assert bank_holiday("england-and-wales", date(2027, 12, 28)) == "Boxing Day (observed)"
    # 2 January 2027 is a Saturday, so Scotland's second New Year holiday moves to Monday 4 January.
    assert bank_holiday("scotland", date(2027, 1, 4)) == "New Year Holiday (observed)"
    assert bank_holiday("england-and-wales", date(2027, 1, 4)) is None
    # The Battle of the Boyne, 12 July 2026, is a Sunday.
    assert bank_holiday("northern-ireland", date(2026, 7, 13)) == "Battle of the Boyne (observed)"


def test_a_substitute_day_is_out_of_hours():
    assert not in_hours(LONDON, _at(2026, 12, 28, 12, 0))
    assert in_hours(LONDON, _at(2026, 12, 29, 12, 0))


def test_one_off_bank_holidays_are_known():
    assert bank_holiday("england-and-wales", date(2022, 9, 19)) == "State Funeral of Queen Elizabeth II"
    assert bank_holiday("england-and-wales", date(2023, 5, 8)) == "Coronation of Charles III"


def test_northern_ireland_has_its_own_days():
    holidays_2026 = bank_holidays("northern-ireland", 2026)

    assert holidays_2026[date(2026, 3, 17)] == "Saint Patrick's Day"
    assert date(2026, 3, 17) not in bank_holidays("england-and-wales", 2026)
    assert bank_holidays("none", 2026) == {}


def test_the_end_of_the_day_is_in_hours_when_hours_run_to_midnight():
    all_evening = SupportHours(WEEKDAYS, time(18, 0), time.max, "UTC")

    assert in_hours(all_evening, _at(2026, 1, 13, 23, 59, 59))
    assert not in_hours(all_evening, _at(2026, 1, 14, 0, 0))  # midnight belongs to the next day's hours


def test_the_default_is_office_hours_in_utc():
    assert in_hours(OFFICE_HOURS, _at(2026, 1, 13, 9, 0))
    assert not in_hours(OFFICE_HOURS, _at(2026, 1, 13, 17, 30))


def test_bad_hours_and_naive_instants_are_refused():
    with pytest.raises(ValueError, match="start before they end"):
        SupportHours(WEEKDAYS, time(17, 0), time(9, 0), "UTC")
    with pytest.raises(ValueError, match="unknown weekday names: monday"):
        SupportHours(frozenset({"monday"}), time(9, 0), time(17, 0), "UTC")
    with pytest.raises(ValueError, match="aware instant"):
        in_hours(LONDON, datetime(2026, 1, 13, 12, 0))

"""UK bank holidays, computed offline by the `holidays` package (ADR 0028): the fixed rules, Easter, the
substitute days when a holiday falls at a weekend, and the one-off days (jubilees, a state funeral, a
coronation) that its maintainers add as they are announced. No network, no file of ours to keep up to date.

Pure in the sense that matters here: no clock, no network; the package computes from its own rules.
"""

from datetime import date
from functools import lru_cache
from typing import Literal

import holidays

Calendar = Literal["none", "england-and-wales", "scotland", "northern-ireland"]
CALENDARS: tuple[Calendar, ...] = ("none", "england-and-wales", "scotland", "northern-ireland")

# England and Wales share one list of bank holidays; the package names the two subdivisions apart.
_SUBDIVISIONS: dict[Calendar, str] = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}


def bank_holiday(calendar: Calendar, day: date) -> str | None:
    """The name of the bank holiday on `day` in `calendar` ("Boxing Day (observed)"), or None."""
    if calendar == "none":
        return None
    return _year(calendar, day.year).get(day)


def bank_holidays(calendar: Calendar, year: int) -> dict[date, str]:
    """Every bank holiday of `year` in `calendar`, substitute days included, by date."""
    if calendar == "none":
        return {}
    return dict(_year(calendar, year))


@lru_cache(maxsize=64)
def _year(calendar: Calendar, year: int) -> dict[date, str]:
    computed = holidays.country_holidays("GB", subdiv=_SUBDIVISIONS[calendar], years=year)
    return {day: str(name) for day, name in computed.items() if day.year == year}

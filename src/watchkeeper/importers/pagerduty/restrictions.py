"""PagerDuty's layer restrictions as the catalog's `restrict` windows.

PagerDuty gives a start and a length: a daily restriction (`start_time_of_day`, `duration_seconds` up to a day)
applies every day; a weekly one (`start_day_of_week` 1 = Monday to 7 = Sunday) once a week, for up to a week.
Our windows are `{days, from, to}` by time of day, and a window that ends at or before it starts runs past
midnight into the next day (`from: "17:30"`, `to: "09:30"`). So a restriction of a day or less is one window on
the day it starts; a longer one is split at midnight: the rest of its first day, whole days (`00:00` to
`24:00`), then the start of its last day. Windows with the same times are written once with all their days.
Times are whole minutes: a start or end with seconds is moved back to its minute, and the caller says so.
"""

import re
from dataclasses import dataclass
from typing import Any

from watchkeeper.catalog.types import ALL_DAYS
from watchkeeper.importers.fields import Fields

DAY = 24 * 60
"""Minutes in a day, and the end of a whole-day window (`24:00`)."""
WEEK = 7 * DAY
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


@dataclass(frozen=True)
class Restriction:
    """One PagerDuty restriction, in seconds."""

    weekly: bool
    day: int
    """0 = Monday ... 6 = Sunday; 0 for a daily restriction, which applies every day."""
    start: int
    """Seconds after midnight."""
    length: int

    def whole_minutes(self) -> bool:
        return self.start % 60 == 0 and self.length % 60 == 0


@dataclass(frozen=True)
class _Piece:
    days: tuple[int, ...]
    start: int
    end: int
    """Minutes after midnight, 1 to 1440 (`24:00`); at or before `start` means the next day."""


def read_restriction(fields: Fields) -> Restriction | None:
    """One entry of a layer's `restrictions`; a problem is recorded with its location, and None returned."""
    kind = fields.text("type", required=True)
    start = _seconds_of_day(fields)
    length = fields.whole("duration_seconds", low=1, required=True)
    if kind not in (None, "daily_restriction", "weekly_restriction"):
        fields.problem(
            "type", f"unknown restriction type {kind!r}: PagerDuty's are daily_restriction and weekly_restriction"
        )
        return None
    weekly = kind == "weekly_restriction"
    day = fields.whole("start_day_of_week", low=1, high=7, required=weekly) if weekly else 1
    longest = 7 * 86400 if weekly else 86400
    if length is not None and length > longest:
        fields.problem(
            "duration_seconds",
            f"{length} seconds is longer than a {'week' if weekly else 'day'}, "
            f"the most a {'weekly' if weekly else 'daily'} restriction lasts",
        )
        return None
    if kind is None or start is None or length is None or day is None:
        return None
    return Restriction(weekly, day - 1, start, length)


def windows(restrictions: list[Restriction]) -> list[dict[str, Any]]:
    """Our `restrict` list for a layer's restrictions: what they cover together, minute for minute."""
    merged: dict[tuple[int, int], set[int]] = {}
    for restriction in restrictions:
        for piece in _pieces(restriction):
            merged.setdefault((piece.start, piece.end), set()).update(piece.days)
    return [_window(days, start, end) for (start, end), days in merged.items()]


def _pieces(restriction: Restriction) -> list[_Piece]:
    start = restriction.start // 60
    end = (restriction.start + restriction.length) // 60  # minutes after the first day's midnight
    days = (restriction.day,) if restriction.weekly else tuple(range(7))
    if end == start:
        return []  # shorter than a minute, once moved to whole minutes
    if end - start >= DAY and not restriction.weekly:
        return [_Piece(days, start, start or DAY)]  # all day, every day
    if end - start <= DAY:
        return [_Piece(days, start, _time_of_day(end))]
    first = restriction.day
    pieces = [_Piece((first,), start, DAY)]
    whole_days = [(first + offset) % 7 for offset in range(1, end // DAY)]
    if whole_days:
        pieces.append(_Piece(tuple(whole_days), 0, DAY))
    if end % DAY:
        pieces.append(_Piece(((first + end // DAY) % 7,), 0, end % DAY))
    return pieces


def _time_of_day(minutes: int) -> int:
    """An end as a time of day: one exactly at midnight is `24:00` when it ends the day it started."""
    return DAY if minutes == DAY else minutes % DAY


def _window(days: set[int], start: int, end: int) -> dict[str, Any]:
    window: dict[str, Any] = {}
    if len(days) < 7:
        window["days"] = [ALL_DAYS[day] for day in sorted(days)]
    window["from"] = _clock(start)
    window["to"] = _clock(end)
    return window


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _seconds_of_day(fields: Fields) -> int | None:
    text = fields.text("start_time_of_day", required=True)
    if text is None:
        return None
    found = _TIME.fullmatch(text.strip())
    hours, minutes, seconds = (int(part or 0) for part in found.groups()) if found else (99, 0, 0)
    if hours > 23 or minutes > 59 or seconds > 59:
        fields.problem("start_time_of_day", f"{text!r} is not a time of day such as 08:00:00")
        return None
    return hours * 3600 + minutes * 60 + seconds

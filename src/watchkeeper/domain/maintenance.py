"""Maintenance windows: when each is on, and when it next starts and ends (ADR 0029).

A window is one-off (an instant it starts and a length) or recurring: an RFC 5545 RRULE that picks the days, a
local time of day it starts at, a length and a timezone. The rule runs on local wall-clock time and each start
is placed in the zone afterwards, so a 06:00 window stays at 06:00 local across a DST change. A local start that
does not exist (inside the spring gap) is read with the offset before the change, as zoneinfo does (fold 0), so
01:30 on the last Sunday of March in London starts at 01:30 GMT; an ambiguous one (the autumn hour) is the first.
The length is real time: a 1h window is one hour long even on the night the clocks change.

A catalog window has no first date of its own, so a rule is anchored at Monday 1 January 2024 (the first day of
a year, a month and ISO week 1): INTERVAL counts from there ("every other week" means the weeks of 1 January
2024, 15 January 2024 and so on), COUNT cannot be used, and a WEEKLY rule must say its days.

Pure: instants come in as arguments; nothing reads the clock.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

ANCHOR = date(2024, 1, 1)
_HORIZON = "21240101T000000"
"""How far ahead a rule must happen at least once to be accepted; none sensible waits longer."""
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_DAY_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a window covers: checks, services and platforms by id."""

    checks: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.checks or self.services or self.platforms)

    def describe(self) -> str:
        parts = [
            f"{kind} {', '.join(sorted(ids))}"
            for kind, ids in (("checks", self.checks), ("services", self.services), ("platforms", self.platforms))
            if ids
        ]
        return "; ".join(parts) or "nothing"


@dataclass(frozen=True, slots=True)
class Window:
    """A maintenance window. Build one with `one_off` or `recurring`."""

    id: str
    """`<catalog id>` for a catalog window, `runtime:<n>` for one created at runtime."""
    name: str
    scope: Scope
    duration: timedelta
    timezone: str = "UTC"
    starts_at: datetime | None = None
    """A one-off window's start (aware)."""
    recurrence: str | None = None
    """A recurring window's RRULE, as `parse_recurrence` returns it."""
    local_start: time | None = None
    """A recurring window's local time of day."""
    cancelled_at: datetime | None = None
    """A runtime window ended early (or before it began)."""
    announce: bool = False
    _rule: rrule | None = field(default=None, compare=False, repr=False)
    _period: tuple[str, int] = field(default=("DAILY", 1), compare=False, repr=False)
    """The rule's FREQ and INTERVAL."""

    @property
    def is_recurring(self) -> bool:
        return self.recurrence is not None


@dataclass(frozen=True, slots=True)
class Occurrence:
    window: Window
    starts_at: datetime
    ends_at: datetime

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


def one_off(
    window_id: str,
    name: str,
    scope: Scope,
    starts_at: datetime,
    ends_at: datetime,
    *,
    cancelled_at: datetime | None = None,
    announce: bool = False,
) -> Window:
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if ends_at <= starts_at:
        raise ValueError("a maintenance window must end after it starts")
    return Window(
        window_id, name, scope, ends_at - starts_at, starts_at=starts_at, cancelled_at=cancelled_at, announce=announce
    )


def one_off_local(
    window_id: str, name: str, scope: Scope, start: datetime, duration: timedelta, timezone: str, announce: bool
) -> Window:
    """A catalog one-off window: a local date and time in `timezone`."""
    starts_at = start.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    window = one_off(window_id, name, scope, starts_at, starts_at + duration, announce=announce)
    return replace(window, timezone=timezone)


def recurring(
    window_id: str,
    name: str,
    scope: Scope,
    recurrence: str,
    start: time,
    duration: timedelta,
    timezone: str,
    *,
    announce: bool = False,
) -> Window:
    if duration <= timedelta(0):
        raise ValueError("a maintenance window must last longer than zero")
    normalised = parse_recurrence(recurrence)
    parts = _parts(normalised)
    ZoneInfo(timezone)  # fails early on an unknown zone
    rule = rrulestr(normalised, dtstart=datetime.combine(ANCHOR, start))
    assert isinstance(rule, rrule)
    return Window(
        window_id,
        name,
        scope,
        duration,
        timezone=timezone,
        recurrence=normalised,
        local_start=start,
        announce=announce,
        _rule=rule,
        _period=(parts["FREQ"], int(parts.get("INTERVAL", "1"))),
    )


def parse_recurrence(text: str) -> str:
    """The rule, checked and normalised (upper case, without a leading `RRULE:`); a ValueError saying what is
    wrong otherwise."""
    rule = text.strip()
    if re.match(r"(?i)rrule:", rule):
        rule = rule[len("RRULE:") :]
    if "\n" in rule or re.search(r"(?i)\b(DTSTART|EXDATE|RDATE)\b", rule):
        raise ValueError("write one RRULE without DTSTART, EXDATE or RDATE: the window's start and timezone give those")
    rule = rule.upper()
    parts = _parts(rule)
    _check_parts(parts)
    # Bounded at the horizon, so that a rule that can never happen (30 February) stops being looked for there.
    parts["UNTIL"] = min(parts.get("UNTIL", _HORIZON), _HORIZON)
    bounded = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        first = next(iter(rrulestr(bounded, dtstart=datetime.combine(ANCHOR, time(0)))), None)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise ValueError(f"not an RFC 5545 RRULE: {error}") from None
    if first is None:
        raise ValueError("it never happens")
    return rule


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in filter(None, rule.split(";")):
        name, equals, value = part.partition("=")
        if not equals or not value:
            raise ValueError(f"not an RFC 5545 RRULE: {part!r} is not NAME=VALUE")
        if name in parts:
            raise ValueError(f"not an RFC 5545 RRULE: {name} is given twice")
        parts[name] = value
    return parts


def _check_parts(parts: dict[str, str]) -> None:
    freq = parts.get("FREQ")
    if freq is None:
        raise ValueError("not an RFC 5545 RRULE: FREQ is missing (such as FREQ=WEEKLY;BYDAY=TU)")
    if freq in _SUB_DAILY or {"BYHOUR", "BYMINUTE", "BYSECOND"} & parts.keys():
        raise ValueError(
            "a maintenance rule picks days (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY); the time of day is `start`"
        )
    if freq not in _DAY_FREQS:
        raise ValueError(f"not an RFC 5545 RRULE: unknown FREQ {freq!r}")
    if "COUNT" in parts:
        raise ValueError("COUNT needs a first date, which a catalog window does not have: end it with UNTIL instead")
    if freq == "WEEKLY" and "BYDAY" not in parts:
        raise ValueError("say which days a weekly window happens on, such as FREQ=WEEKLY;BYDAY=TU")
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= 1000:
        raise ValueError("INTERVAL must be 1 or more (a whole number, at most 1000)")
    if parts.get("UNTIL", "").endswith("Z"):
        raise ValueError(
            "UNTIL is a local time here, as the window's start is (RFC 5545): write it without the Z, "
            "such as UNTIL=20271231T235959"
        )


def occurrences(window: Window, since: datetime) -> Iterator[Occurrence]:
    """The window's occurrences that end after `since`, in order; endless for a rule without UNTIL, so take
    what you need."""
    _aware(since, "since")
    if window.starts_at is not None:
        occurrence = _cut(window, window.starts_at)
        if occurrence is not None and occurrence.ends_at > since:
            yield occurrence
        return
    yield from _recurring(window, since)


def occurrence_at(window: Window, at: datetime) -> Occurrence | None:
    """The occurrence that covers `at`, if the window is on then."""
    first = next(occurrences(window, at), None)
    return first if first is not None and first.covers(at) else None


def active_at(windows: Iterable[Window], at: datetime) -> list[Occurrence]:
    """Every window on at `at`, with the occurrence that makes it so."""
    found = (occurrence_at(window, at) for window in windows)
    return [occurrence for occurrence in found if occurrence is not None]


def next_start(window: Window, after: datetime) -> Occurrence | None:
    """The first occurrence that starts after `after` (for a start notice)."""
    return next((o for o in occurrences(window, after) if o.starts_at > after), None)


def next_end(window: Window, after: datetime) -> datetime | None:
    """When the window next ends after `after`: the end of the occurrence on at `after`, or of the next one
    (for an end notice)."""
    first = next(occurrences(window, after), None)
    return None if first is None else first.ends_at


def _cut(window: Window, starts_at: datetime) -> Occurrence | None:
    """An occurrence, shortened by a cancellation; none when cancelled before it began."""
    ends_at = starts_at + window.duration
    if window.cancelled_at is not None:
        if window.cancelled_at <= starts_at:
            return None
        ends_at = min(ends_at, window.cancelled_at)
    return Occurrence(window, starts_at, ends_at)


def _recurring(window: Window, since: datetime) -> Iterator[Occurrence]:
    anchored, start = window._rule, window.local_start
    assert anchored is not None
    assert start is not None
    zone = ZoneInfo(window.timezone)
    # A day of margin: a local time is not monotonic in UTC across a DST change.
    earliest = (since - window.duration).astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    rule = anchored.replace(dtstart=datetime.combine(_period_start(*window._period, earliest.date()), start))
    for local in rule.xafter(earliest, inc=True):
        # In UTC before adding the length: arithmetic on a zoned datetime is wall-clock arithmetic.
        occurrence = _cut(window, local.replace(tzinfo=zone).astimezone(UTC))
        if occurrence is not None and occurrence.ends_at > since:
            yield occurrence


def _period_start(freq: str, interval: int, near: date) -> date:
    """A start for the rule at or before `near` that gives the same occurrences as the anchor does: a whole
    number of the rule's periods from the anchor, and one more period back so that no partial first period (a
    week starting on another WKST day, a BYSETPOS) can differ. Saves iterating from 2024 on every question."""
    if freq in ("YEARLY", "MONTHLY"):
        step = interval * (12 if freq == "YEARLY" else 1)
        months = (near.year - ANCHOR.year) * 12 + near.month - 1
        shifted = (months // step - 1) * step
        return date(ANCHOR.year + shifted // 12, shifted % 12 + 1, 1)
    step_days = interval * (7 if freq == "WEEKLY" else 1)
    periods = (near - ANCHOR).days // step_days - 1
    return ANCHOR + timedelta(days=periods * step_days)


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be an aware instant")


Edge = Literal["start", "end"]


def transitions(windows: Iterable[Window], since: datetime, until: datetime) -> list[tuple[Occurrence, Edge]]:
    """Each start and end of a window's occurrences in (since, until], oldest first: what start and end notices
    tell. A window cancelled before it began has neither."""
    found: list[tuple[Occurrence, Edge]] = []
    for window in windows:
        for occurrence in occurrences(window, since):
            if occurrence.starts_at > until:
                break
            if since < occurrence.starts_at <= until:
                found.append((occurrence, "start"))
            if since < occurrence.ends_at <= until:
                found.append((occurrence, "end"))
    return sorted(found, key=lambda item: item[0].starts_at if item[1] == "start" else item[0].ends_at)

"""On-call maths (ADR 0031): who a rota puts on call at an instant, its shifts over a range, and its gaps.

A rota has layers; each layer hands over from one person to the next at wall-clock times in the rota's zone
(`start + k * turn`, counted on the local calendar, so a 09:30 Wednesday handoff stays 09:30 across clock
changes). A local time maps to an instant by one rule, used for handoffs and restriction windows alike:

- a time that occurs once is that instant;
- a time that occurs twice (the repeated hour in autumn) is its first occurrence;
- a time that does not occur (the skipped hour in spring) is the instant the clocks change, which is when the
  first local time after it that exists begins.

That rule never moves a later local time to an earlier instant, so handoffs stay in order; a turn whose two
ends land on the same instant is empty and skipped. (zoneinfo's fold=0 reading of a skipped time is not in
order: it puts 01:30 after 02:00 on the spring night in London.)

A restriction window only masks its layer: turns keep counting through the masked time, and where no window
of a layer is open, or before its first handoff, the layer does not apply and the layers below show through.
A later layer wins where it applies. Overrides win over layers: one that `replaces` a person covers the times
the layers put that person on call; one without covers everything in its period; of the overrides that apply
at an instant, the last one given wins.

Pure: instants come in as arguments and nothing reads the clock. Instants in are aware; instants out are UTC.
"""

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_TURN = timedelta(hours=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A restriction: on the given weekdays (0 = Monday), from `start` to `end` local time. `end <= start`
    crosses midnight and ends the next day (Mon 17:30 -> Tue 09:30); `end == start` lasts 24 hours."""

    days: frozenset[int]
    start: time
    end: time

    def __post_init__(self) -> None:
        if not self.days <= frozenset(range(7)):
            raise ValueError("window days are numbered 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are local wall-clock times, without a zone")

    @property
    def length(self) -> timedelta:
        """Wall-clock length, more than zero and at most a day."""
        span = datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)
        return span if span > timedelta(0) else span + _DAY


@dataclass(frozen=True)
class Layer:
    start: datetime
    """Naive: local wall-clock time in the rota's zone of the first handoff."""
    people: tuple[str, ...]
    """Person ids in turn order."""
    turn: timedelta
    windows: tuple[Window, ...] = ()
    """Empty: the layer applies at all times (from its start)."""

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise ValueError("a layer starts at a local wall-clock time, without a zone")
        if not self.people:
            raise ValueError("a layer needs at least one person")
        if self.turn < MIN_TURN:
            raise ValueError("a turn lasts at least an hour")

    def person(self, turn: int) -> str:
        return self.people[turn % len(self.people)]


@dataclass(frozen=True)
class Rota:
    timezone: str
    """IANA key, such as Europe/London."""
    layers: tuple[Layer, ...]
    """Later layers are higher and win where they apply."""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # cached by zoneinfo


@dataclass(frozen=True)
class Override:
    start: datetime
    """Aware."""
    end: datetime
    person: str
    """Who covers."""
    replaces: str | None = None
    """Whose time they cover; None: the whole schedule for the period."""

    def __post_init__(self) -> None:
        _aware(self.start, "an override's start")
        _aware(self.end, "an override's end")
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")

    def covers(self, at: datetime, layered: str | None) -> bool:
        """Whether it decides who is on call at `at`, where the layers put `layered` on call."""
        if not self.start <= at < self.end:
            return False
        return self.replaces is None or self.replaces == layered


@dataclass(frozen=True)
class Shift:
    person: str
    start: datetime
    """Aware, UTC."""
    end: datetime
    layer: int | None
    """Index of the layer that gave it; None when an override did."""


def instant_of(local: datetime, timezone: str | ZoneInfo) -> datetime:
    """The instant (UTC) that a naive local wall-clock time names in the zone, by the rule in the module's
    docstring: the first occurrence of a repeated time; the instant the clocks change for a skipped one."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    first_reading = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second_reading = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first_reading <= second_reading:  # equal when the time occurs once; fold=0 is the first of two
        return first_reading
    # A skipped time: read with the offset after the change it falls before the change, with the offset
    # before it after the change, so the change lies between the two readings.
    return _clock_change(second_reading, first_reading, zone)


def _clock_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in (before, after] at which the zone's offset is already the one at `after`."""
    offset = after.astimezone(zone).utcoffset()
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:  # offset(low) is the old one, offset(high) the new one
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def layer_on_call(rota: Rota, index: int, at: datetime) -> str | None:
    """Who layer `index` puts on call at `at`; None before its first handoff or outside its windows."""
    _aware(at, "the instant")
    layer, zone = rota.layers[index], rota.zone
    turn = _turn_at(layer, zone, at)
    if turn is None or not _within_windows(layer, zone, at):
        return None
    return layer.person(turn)


def on_call(rota: Rota, overrides: Sequence[Override], at: datetime) -> str | None:
    """Who is on call at `at`, overrides included; None when nobody is."""
    answer = _decide(_layered(rota, at), overrides, at)
    return None if answer is None else answer[0]


def shifts(rota: Rota, overrides: Sequence[Override], start: datetime, end: datetime) -> tuple[Shift, ...]:
    """Who is on call over [start, end): sorted, without overlaps, adjacent pieces of one person from the same
    layer (or both from overrides) merged, clipped to the range. Times nobody is on call are left out."""
    start, end = _range(start, end)
    if start >= end:
        return ()
    zone = rota.zone
    pieces = [_layer_pieces(layer, zone, start, end) for layer in rota.layers]
    cuts = {start, end} | {moment for layer in pieces for piece in layer for moment in (piece.start, piece.end)}
    cuts |= {moment.astimezone(UTC) for o in overrides for moment in (o.start, o.end) if start < moment < end}
    found: list[Shift] = []
    top = _TopLayer(pieces)
    for opens, closes in pairwise(sorted(cuts)):
        # Every change of answer is a cut, so the answer at `opens` holds until `closes`.
        answer = _decide(top.at(opens), overrides, opens)
        if answer is not None:
            _append(found, Shift(answer[0], opens, closes, answer[1]))
    return tuple(found)


def layer_shifts(rota: Rota, index: int, start: datetime, end: datetime) -> tuple[Shift, ...]:
    """The turns of layer `index` over [start, end), cut to its windows and clipped to the range."""
    start, end = _range(start, end)
    if start >= end:
        return ()
    return tuple(_layer_pieces(rota.layers[index], rota.zone, start, end, index))


def gaps(
    rota: Rota, overrides: Sequence[Override], start: datetime, end: datetime
) -> tuple[tuple[datetime, datetime], ...]:
    """The periods in [start, end) when nobody is on call, in order."""
    start, end = _range(start, end)
    return uncovered(shifts(rota, overrides, start, end), start, end)


def uncovered(found: Sequence[Shift], start: datetime, end: datetime) -> tuple[tuple[datetime, datetime], ...]:
    """The periods in [start, end) that none of `found` (sorted, without overlaps, inside the range) covers."""
    holes: list[tuple[datetime, datetime]] = []
    reached = start
    for shift in found:
        if shift.start > reached:
            holes.append((reached, shift.start))
        reached = shift.end
    if reached < end:
        holes.append((reached, end))
    return tuple(holes)


# Turns


def _handoff(layer: Layer, turn: int, zone: ZoneInfo) -> datetime:
    return instant_of(layer.start + turn * layer.turn, zone)


def _turn_at(layer: Layer, zone: ZoneInfo, at: datetime) -> int | None:
    """The turn k with handoff k <= at < handoff k+1, or None before the first handoff."""
    if at < _handoff(layer, 0, zone):
        return None
    # The local time is within a clock change of the answer, so this guess is at most a step or two out.
    turn = max(0, (_local(at, zone) - layer.start) // layer.turn)
    while turn > 0 and _handoff(layer, turn, zone) > at:
        turn -= 1
    while _handoff(layer, turn + 1, zone) <= at:
        turn += 1
    return turn


def _turns(layer: Layer, zone: ZoneInfo, start: datetime, end: datetime, index: int | None) -> Iterator[Shift]:
    turn = _turn_at(layer, zone, start)
    if turn is None:
        turn = 0
    opens = _handoff(layer, turn, zone)
    while opens < end:
        closes = _handoff(layer, turn + 1, zone)
        if max(opens, start) < min(closes, end):  # a turn collapsed by a skipped hour is empty
            yield Shift(layer.person(turn), max(opens, start), min(closes, end), index)
        turn, opens = turn + 1, closes


# Windows


def _within_windows(layer: Layer, zone: ZoneInfo, at: datetime) -> bool:
    if not layer.windows:
        return True
    today = _local(at, zone).date()
    return any(opens <= at < closes for opens, closes in _window_spans(layer.windows, zone, today, today))


def _window_spans(
    windows: tuple[Window, ...], zone: ZoneInfo, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """The windows' instants that can meet local days first..last, merged, in order. A window opens on its
    day and lasts at most a day, and the instant rule moves a time by at most a clock change, so windows
    that opened two days before `first` up to a day after `last` are enough."""
    spans = []
    day = first - 2 * _DAY
    while day <= last + _DAY:
        for window in windows:
            if day.weekday() in window.days:
                opens = datetime.combine(day, window.start)
                spans.append((instant_of(opens, zone), instant_of(opens + window.length, zone)))
        day += _DAY
    return _union(spans)


def _union(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for opens, closes in sorted(span for span in spans if span[0] < span[1]):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _layer_pieces(
    layer: Layer, zone: ZoneInfo, start: datetime, end: datetime, index: int | None = None
) -> list[Shift]:
    turns = list(_turns(layer, zone, start, end, index))
    if not layer.windows:
        return turns
    spans = _window_spans(layer.windows, zone, _local(start, zone).date(), _local(end, zone).date())
    pieces = []
    first = 0
    for shift in turns:  # both lists are sorted and without overlaps, so one walk of each
        while first < len(spans) and spans[first][1] <= shift.start:
            first += 1
        position = first
        while position < len(spans) and spans[position][0] < shift.end:
            opens, closes = spans[position]
            pieces.append(Shift(shift.person, max(opens, shift.start), min(closes, shift.end), index))
            position += 1
    return pieces


# Layers and overrides together


class _TopLayer:
    """The highest layer that applies at each of a rising sequence of instants, walking each layer's sorted
    pieces once."""

    def __init__(self, pieces: list[list[Shift]]) -> None:
        self._pieces = pieces
        self._next = [0] * len(pieces)

    def at(self, at: datetime) -> tuple[str, int] | None:
        for index in reversed(range(len(self._pieces))):
            pieces, position = self._pieces[index], self._next[index]
            while position < len(pieces) and pieces[position].end <= at:
                position += 1
            self._next[index] = position
            if position < len(pieces) and pieces[position].start <= at:
                return pieces[position].person, index
        return None


def _layered(rota: Rota, at: datetime) -> tuple[str, int] | None:
    for index in reversed(range(len(rota.layers))):
        person = layer_on_call(rota, index, at)
        if person is not None:
            return person, index
    return None


def _decide(
    layered: tuple[str, int] | None, overrides: Sequence[Override], at: datetime
) -> tuple[str, int | None] | None:
    """The answer and where it comes from (a layer's index, or None for an override)."""
    answer: tuple[str, int | None] | None = layered
    person = None if layered is None else layered[0]
    for override in overrides:  # the last that applies wins
        if override.covers(at, person):
            answer = (override.person, None)
    return answer


def _append(found: list[Shift], shift: Shift) -> None:
    last = found[-1] if found else None
    if last is not None and last.end == shift.start and (last.person, last.layer) == (shift.person, shift.layer):
        found[-1] = Shift(last.person, last.start, shift.end, last.layer)
    else:
        found.append(shift)


# Instants


def _local(at: datetime, zone: ZoneInfo) -> datetime:
    return at.astimezone(zone).replace(tzinfo=None)


def _aware(at: datetime, what: str) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (with a zone or offset)")


def _range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    _aware(start, "the start")
    _aware(end, "the end")
    return start.astimezone(UTC), end.astimezone(UTC)

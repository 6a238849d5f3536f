"""On-call maths over random rotas, restrictions and overrides, in London, New York and Sydney, over ranges that
cross their clock changes, checked against an independent brute-force evaluation minute by minute.

The brute force never converts a local time to an instant. It walks UTC minutes and keeps the highest local
wall-clock time reached so far: by the rule of ADR 0031, a local time T "has happened" at instant u exactly when
that high-water mark has reached T (a skipped T happens at the change, when the clock first passes it; a
repeated T at its first occurrence). So a layer's turn at u is floor((mark - start) / turn), and a window is
open while its opening local time has been reached and its closing one has not.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

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

MINUTE = timedelta(minutes=1)
CHANGES = {
    "Europe/London": [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)],
    "America/New_York": [datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC)],
    "Australia/Sydney": [datetime(2026, 4, 4, 16, tzinfo=UTC), datetime(2026, 10, 3, 16, tzinfo=UTC)],
}
PEOPLE = ("a", "b", "c", "d")
PROPERTIES = settings(max_examples=150, deadline=None)

# Hours around the changes (01:00-03:00 local) are drawn often, so handoffs and window edges land in them.
hours = st.one_of(st.integers(0, 23), st.sampled_from([0, 1, 2, 3]))
minutes = st.sampled_from([0, 0, 15, 30, 45, 59])
times = st.builds(time, hours, minutes)
windows = st.builds(Window, st.frozensets(st.integers(0, 6), min_size=1), times, times)
turns = st.one_of(
    st.sampled_from([timedelta(hours=h) for h in (1, 2, 8, 12, 24, 48, 168)]),
    st.builds(lambda h, m: timedelta(hours=h, minutes=m), st.integers(1, 200), st.sampled_from([0, 30])),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Rota, list[Override], datetime, datetime]:
    zone = draw(st.sampled_from(sorted(CHANGES)))
    change = draw(st.sampled_from(CHANGES[zone]))
    # Most ranges hold the change; some end just before it or begin just after it.
    start = change - draw(st.integers(-120, 2 * 24 * 60)) * MINUTE
    end = max(change + draw(st.integers(-120, 24 * 60)) * MINUTE, start + 30 * MINUTE)
    around = change.astimezone(ZoneInfo(zone)).date()
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        first = datetime.combine(around + timedelta(days=draw(st.integers(-15, 2))), draw(times))
        people = tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4)))
        restricted = tuple(draw(st.lists(windows, max_size=2)))
        layers.append(Layer(first, people, draw(turns), restricted))
    overrides = []
    for _ in range(draw(st.integers(0, 3))):
        opens = start + draw(st.integers(-600, 3 * 24 * 60)) * MINUTE
        closes = opens + draw(st.integers(30, 2 * 24 * 60)) * MINUTE
        replaces = draw(st.one_of(st.none(), st.sampled_from(PEOPLE)))
        overrides.append(Override(opens, closes, draw(st.sampled_from((*PEOPLE, "x"))), replaces))
    return Rota(zone, tuple(layers)), overrides, start, end


# The brute force


def _window_open(window: Window, mark: datetime) -> bool:
    for day in (mark.date() - timedelta(days=1), mark.date()):
        opens = datetime.combine(day, window.start)
        if day.weekday() in window.days and opens <= mark < opens + window.length:
            return True
    return False


def _brute_layer(layer: Layer, mark: datetime) -> str | None:
    if mark < layer.start:
        return None
    if layer.windows and not any(_window_open(w, mark) for w in layer.windows):
        return None
    return layer.people[((mark - layer.start) // layer.turn) % len(layer.people)]


def _marks(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The high-water local wall-clock time at each minute of [start, end)."""
    moment, mark = start - timedelta(hours=3), datetime.min  # more than any clock change before, to settle
    found = []
    while moment < end:
        mark = max(mark, moment.astimezone(zone).replace(tzinfo=None))
        if moment >= start:
            found.append(mark)
        moment += MINUTE
    return found


def brute_force(
    rota: Rota, overrides: Sequence[Override], start: datetime, end: datetime
) -> list[tuple[str, int | None] | None]:
    """(person, layer index or None for an override) at each minute, or None when nobody is on call."""
    found: list[tuple[str, int | None] | None] = []
    for n, mark in enumerate(_marks(ZoneInfo(rota.timezone), start, end)):
        moment = start + n * MINUTE
        answer: tuple[str, int | None] | None = None
        for index in reversed(range(len(rota.layers))):
            person = _brute_layer(rota.layers[index], mark)
            if person is not None:
                answer = (person, index)
                break
        layered = answer[0] if answer else None
        for o in overrides:
            if o.start <= moment < o.end and o.replaces in (None, layered):
                answer = (o.person, None)
        found.append(answer)
    return found


def by_minute(found: Sequence[Shift], start: datetime, end: datetime) -> list[tuple[str, int | None] | None]:
    minutes: list[tuple[str, int | None] | None] = [None] * ((end - start) // MINUTE)
    for shift in found:
        for n in range((shift.start - start) // MINUTE, (shift.end - start) // MINUTE):
            minutes[n] = (shift.person, shift.layer)
    return minutes


# The properties


@PROPERTIES
@given(st.sampled_from(sorted(CHANGES)), st.data())
def test_local_times_map_to_instants_in_order_and_to_the_first_moment_the_clock_reaches_them(zone, data):
    change = data.draw(st.sampled_from(CHANGES[zone]))
    around = change.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0)
    offsets = sorted(data.draw(st.lists(st.integers(-180, 180), min_size=2, max_size=20)))
    locals_ = [around + n * MINUTE for n in offsets]

    instants = [instant_of(moment, zone) for moment in locals_]

    assert instants == sorted(instants)
    for moment, instant in zip(locals_, instants, strict=True):
        assert instant.tzinfo is UTC
        assert _wall(instant, zone) >= moment
        assert all(_wall(instant - n * MINUTE, zone) < moment for n in range(1, 181))  # reached first there


def _wall(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


@PROPERTIES
@given(scenarios())
def test_each_layer_gives_one_answer_per_instant_and_agrees_with_the_brute_force(scenario):
    rota, _, start, end = scenario
    zone = ZoneInfo(rota.timezone)
    marks = _marks(zone, start, end)

    for index, layer in enumerate(rota.layers):
        found = layer_shifts(rota, index, start, end)

        _assert_tiles(found, start, end)
        assert [s and s[0] for s in by_minute(found, start, end)] == [_brute_layer(layer, m) for m in marks]
        for shift in found:
            for moment in (shift.start, shift.start + (shift.end - shift.start) / 2, shift.end - MINUTE / 60):
                assert layer_on_call(rota, index, moment) == shift.person


@PROPERTIES
@given(scenarios())
def test_shifts_tile_the_range_agree_with_on_call_and_with_the_brute_force(scenario):
    rota, overrides, start, end = scenario

    found = shifts(rota, overrides, start, end)

    _assert_tiles(found, start, end)
    for before, after in pairwise(found):  # nothing left that should have been merged
        assert before.end < after.start or (before.person, before.layer) != (after.person, after.layer)
    assert by_minute(found, start, end) == brute_force(rota, overrides, start, end)
    for shift in found:
        for moment in (shift.start, shift.start + (shift.end - shift.start) / 2, shift.end - MINUTE / 60):
            assert on_call(rota, overrides, moment) == shift.person


@PROPERTIES
@given(scenarios())
def test_gaps_are_exactly_the_time_nobody_is_on_call(scenario):
    rota, overrides, start, end = scenario

    found = gaps(rota, overrides, start, end)
    covered = sum((s.end - s.start for s in shifts(rota, overrides, start, end)), timedelta(0))

    assert covered + sum((e - s for s, e in found), timedelta(0)) == end - start
    for opens, closes in found:
        assert start <= opens < closes <= end
        assert on_call(rota, overrides, opens) is None
        assert on_call(rota, overrides, closes - MINUTE / 60) is None


def _assert_tiles(found: Sequence[Shift], start: datetime, end: datetime) -> None:
    for shift in found:
        assert start <= shift.start < shift.end <= end
        assert shift.start.tzinfo is UTC
    for before, after in pairwise(found):
        assert before.end <= after.start


def test_the_brute_force_sees_a_skipped_handoff_at_the_change():
    """The brute force is itself checked on a case worked out by hand, so the properties test something."""
    rota = Rota("Europe/London", (Layer(datetime(2026, 3, 28, 1, 30), ("a", "b"), timedelta(days=1)),))
    start = datetime(2026, 3, 29, 0, 58, tzinfo=UTC)

    assert brute_force(rota, [], start, start + 3 * MINUTE) == [("a", 0), ("a", 0), ("b", 0)]

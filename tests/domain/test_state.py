"""The check state machine: down_after failures confirm DOWN, up_after successes confirm UP, flapping."""

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.state import FLAP_WINDOW, CheckState, advance, flap_change

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def feed(results: list[bool], down_after: int = 2, up_after: int = 1):
    state, changes = CheckState(), []
    for n, ok in enumerate(results):
        state, change = advance(
            state, ok, "ok" if ok else "HTTP 503", T0 + timedelta(minutes=n), down_after=down_after, up_after=up_after
        )
        if change:
            changes.append((n, change.before, change.after))
    return state, changes


def test_a_first_success_is_up_at_once():
    state, changes = feed([True])

    assert state.status == "up"
    assert changes == [(0, "unknown", "up")]


def test_one_failure_is_not_down_but_down_after_in_a_row_is():
    state, changes = feed([True, False, True, False, False], down_after=2)

    assert changes == [(0, "unknown", "up"), (4, "up", "down")]
    assert state.since == T0 + timedelta(minutes=4)
    assert state.failures == 2


def test_a_new_check_that_fails_waits_for_down_after_too():
    _, changes = feed([False, False, False], down_after=3)

    assert changes == [(2, "unknown", "down")]


def test_up_after_successes_confirm_recovery():
    _, changes = feed([False, False, True, True, False, True, True, True], down_after=2, up_after=3)

    assert changes == [(1, "unknown", "down"), (7, "down", "up")]


def test_a_check_that_keeps_changing_its_mind_is_flapping():
    steady, _ = feed([True] * 30)
    flapping, _ = feed([True, False] * 10)

    assert not steady.flapping
    assert flapping.flapping
    assert len(flapping.recent) == FLAP_WINDOW


@given(st.lists(st.booleans(), max_size=60), st.integers(1, 5), st.integers(1, 5))
def test_changes_alternate_and_follow_runs_of_results(results, down_after, up_after):
    state, changes = feed(results, down_after, up_after)

    afters = [after for _, _, after in changes]
    assert all(a != b for a, b in itertools.pairwise(afters))
    for n, before, after in changes:
        needed = down_after if after == "down" else 1 if before == "unknown" else up_after
        window = results[n - needed + 1 : n + 1]
        assert len(window) == needed
        assert all(ok == (after == "up") for ok in window)
    assert state.status == (afters[-1] if afters else "unknown")


def test_starting_and_ceasing_to_flap_are_events_with_their_evidence():
    at = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    steady = CheckState(status="up", recent=(True,) * 10)
    flapping = CheckState(status="up", recent=(True, False) * 4)

    began = flap_change(steady, flapping, at)
    assert began is not None
    assert began.kind == "flapping"
    assert began.reason == "flapping: 7 changes between passing and failing in the last 8 results"
    assert (began.before, began.after) == ("up", "up")
    ended = flap_change(flapping, steady, at)
    assert ended is not None
    assert ended.kind == "steady"
    assert ended.reason.startswith("steady again: 0 changes")
    assert flap_change(steady, steady, at) is None
    assert flap_change(flapping, flapping, at) is None

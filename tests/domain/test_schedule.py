"""Phases spread checks evenly through their interval; starts stay on a fixed grid."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.schedule import next_start, phase


def test_phases_are_stable_and_inside_the_interval():
    assert phase("pay-api-health", 60) == phase("pay-api-health", 60)
    assert 0 <= phase("pay-api-health", 60) < 60
    assert phase("pay-api-health", 60) != phase("pay-api-healthy", 60)


def test_ten_thousand_checks_spread_evenly_over_a_minute():
    seconds = Counter(int(phase(f"check-{n}", 60)) for n in range(10_000))

    assert len(seconds) == 60
    assert max(seconds.values()) < 2 * 10_000 / 60  # no second carries twice its share: no burst at :00


@given(st.floats(0, 2e9), st.floats(1, 86400), st.floats(0, 1))
def test_the_next_start_is_the_first_grid_point_after(after, interval, fraction):
    offset = fraction * interval

    start = next_start(after, interval, offset)

    assert after < start <= after + interval + 1e-6 * max(1.0, after)
    steps = (start - offset) / interval
    assert abs(steps - round(steps)) < 1e-6 * max(1.0, abs(steps))

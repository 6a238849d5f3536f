"""Rollups: fixed latency buckets that merge exactly, percentiles read from them within the stated error, and
minute, hour and day periods on UTC boundaries."""

import itertools
import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.rollups import (
    BUCKETS,
    LATENCY_BOUNDS_MS,
    PERCENTILE_ERROR,
    LatencyBuckets,
    Rollup,
    Tally,
    bucket_of,
    nearest_rank,
    period_start,
)

latencies = st.lists(st.floats(min_value=0, max_value=120_000, allow_nan=False), max_size=200)
fractions = st.sampled_from([0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0])


def exact_percentile(values: list[float], fraction: float) -> float:
    return sorted(values)[nearest_rank(fraction, len(values)) - 1]


def within_bucket_error(reported: float, true: float, largest: float) -> bool:
    """The error the module documents: relative above 1 ms, 0.5 ms below it, the largest seen above 63 s."""
    if true <= LATENCY_BOUNDS_MS[0]:
        return abs(reported - true) <= LATENCY_BOUNDS_MS[0] / 2
    if true > LATENCY_BOUNDS_MS[-1]:
        return reported == largest
    return abs(reported - true) <= PERCENTILE_ERROR * true + 1e-9


def test_the_bounds_run_from_1_ms_to_63_s_in_steps_of_at_most_14_percent():
    steps = [b / a for a, b in itertools.pairwise(LATENCY_BOUNDS_MS)]

    assert LATENCY_BOUNDS_MS[0] == 1
    assert LATENCY_BOUNDS_MS[-1] == 63_000
    assert len(LATENCY_BOUNDS_MS) == 97
    assert all(1.1 < step <= 8 / 7 + 1e-9 for step in steps)
    assert round(PERCENTILE_ERROR, 3) == 0.069


def test_round_thresholds_are_bounds_so_counts_below_them_are_exact():
    for threshold in (10, 100, 200, 250, 400, 500, 800, 1000, 2000, 2500, 5000, 10_000, 30_000 + 1500):
        assert threshold in LATENCY_BOUNDS_MS
    buckets = LatencyBuckets.of([999.9, 1000, 1000.1, 30])

    assert buckets.at_most(1000) == 3


def test_a_bucket_holds_values_above_the_previous_bound_up_to_its_own():
    assert bucket_of(0) == 0
    assert bucket_of(1.0) == 0
    assert bucket_of(1.01) == 1
    assert bucket_of(250) == LATENCY_BOUNDS_MS.index(250)
    assert bucket_of(250.01) == LATENCY_BOUNDS_MS.index(250) + 1
    assert bucket_of(63_000.5) == BUCKETS - 1
    assert bucket_of(10**9) == BUCKETS - 1


def test_percentiles_of_known_latencies():
    rollup = Rollup(20, 0, LatencyBuckets.of([100.0] * 18 + [900.0, 4600.0]), 4600.0)

    p = rollup.percentiles()

    assert p.p50 == pytest.approx(math.sqrt(90 * 100))  # the middle of the bucket (90, 100]
    assert p.p95 == pytest.approx(math.sqrt(800 * 900))  # rank 19 of 20
    assert p.p99 == 4600.0  # rank 20: the middle of (4500, 5000] is 4743, above the largest seen


def test_no_latencies_means_no_percentiles():
    assert Rollup(3, 3).percentiles().p95 is None


def test_a_percentile_is_a_fraction():
    with pytest.raises(ValueError, match="fraction above 0"):
        LatencyBuckets.of([1.0]).percentile(95)


def test_latencies_below_a_millisecond_and_above_63_seconds():
    fast = LatencyBuckets.of([0.2, 0.3])
    slow = LatencyBuckets.of([64_000, 90_000])

    assert fast.percentile(0.5, largest_ms=0.3) == 0.3  # the bucket's middle (0.5) is capped by the largest
    assert fast.percentile(0.5) == 0.5
    assert slow.percentile(0.5, largest_ms=90_000) == 90_000


@given(latencies, latencies, fractions)
def test_merged_buckets_are_the_buckets_of_the_union(a, b, fraction):
    merged = LatencyBuckets.of(a) + LatencyBuckets.of(b)

    assert merged == LatencyBuckets.of(a + b)
    assert merged.total == len(a) + len(b)


@given(latencies, latencies, fractions)
def test_percentiles_of_merged_rollups_are_within_the_bucket_error_of_the_union(a, b, fraction):
    def rollup(values: list[float]) -> Rollup:
        tally = Tally()
        for value in values:
            tally.add_result(True, value)
        return tally.rollup()

    merged = rollup(a) + rollup(b)
    reported = merged.latency.percentile(fraction, merged.max_ms)

    if not a + b:
        assert reported is None
        return
    true = exact_percentile(a + b, fraction)
    assert reported is not None
    assert bucket_of(reported) == bucket_of(true)
    assert within_bucket_error(reported, true, max(a + b))


@given(latencies)
def test_buckets_survive_their_json(values):
    buckets = LatencyBuckets.of(values)

    stored = buckets.to_json()

    assert LatencyBuckets.from_json(stored) == buckets
    assert stored is None or all(count > 0 for count in stored.values())


def test_json_is_keyed_by_upper_bound_and_a_full_list_is_read_too():
    buckets = LatencyBuckets.of([0.5, 240, 250, 70_000])

    assert buckets.to_json() == {"1": 1, "250": 2, "+Inf": 1}
    assert LatencyBuckets.from_json(list(buckets.counts)) == buckets
    assert LatencyBuckets.from_json(None) == LatencyBuckets()


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"251": 1}, "'251' is not a latency bucket bound"),
        ({"250": -1}, "whole number of at least 0, not -1"),
        ({"250": "3"}, "not '3'"),
        ([1, 2, 3], f"need {BUCKETS} counts, not 3"),
    ],
)
def test_bad_stored_buckets_are_refused_with_the_reason(stored, message):
    with pytest.raises(ValueError, match=message):
        LatencyBuckets.from_json(stored)


def test_a_tally_counts_failures_and_keeps_the_latency_of_slow_failures():
    tally = Tally()
    for ok, latency in [(True, 120.0), (False, 9800.0), (False, None), (True, None), (True, 80.0)]:
        tally.add_result(ok, latency)

    rollup = tally.rollup()

    assert (rollup.count, rollup.failures, rollup.latency.total, rollup.max_ms) == (5, 2, 3, 9800.0)


def test_a_tally_of_rollups_is_their_sum():
    one = Rollup(2, 1, LatencyBuckets.of([10.0, 20.0]), 20.0)
    two = Rollup(3, 0, LatencyBuckets.of([30.0]), 30.0)
    tally = Tally()
    tally.add_rollup(one)
    tally.add_rollup(two)

    assert tally.rollup() == one + two == Rollup(5, 1, LatencyBuckets.of([10.0, 20.0, 30.0]), 30.0)


def test_periods_start_on_utc_boundaries():
    at = datetime(2026, 3, 1, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-5)))  # 04:59:59 UTC, 2 March

    assert period_start(at, "minute") == datetime(2026, 3, 2, 4, 59, tzinfo=UTC)
    assert period_start(at, "hour") == datetime(2026, 3, 2, 4, tzinfo=UTC)
    assert period_start(at, "day") == datetime(2026, 3, 2, tzinfo=UTC)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        period_start(datetime(2026, 3, 1), "day")

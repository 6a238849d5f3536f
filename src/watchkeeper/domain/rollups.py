"""Rollups of check results by minute, hour and day, and the fixed latency buckets that make them mergeable.

Percentiles do not add up, so every rollup also counts its latencies in fixed buckets: an hour is then the exact
sum of its minutes and a day of its hours, and percentiles are read from the summed buckets.

The bucket bounds are the ISO 3 R20 preferred numbers (1, 1.12, 1.25, 1.4, 1.6, ... 8, 9 and again times ten)
in milliseconds, from 1 ms to 63 s. They are spaced almost evenly on a log scale (each about 12% above the one
before, never more than 14.3%), and the round values people write as thresholds (100 ms, 250 ms, 500 ms, 1 s,
2 s, 5 s) are bounds themselves, so "how many results took at most 1 s" is exact. A bucket holds latencies above
the bound before it and up to its own bound (Prometheus's `le`), the first one 0-1 ms, the last one above 63 s.

A percentile read from buckets is the geometric middle of the bucket that holds the true value (nearest rank),
capped at the largest latency seen. So it is within `PERCENTILE_ERROR` (6.9%) of the true value above 1 ms,
within 0.5 ms of it below, and above 63 s it is the largest latency seen.
"""

import itertools
import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

_R20 = (1.0, 1.12, 1.25, 1.4, 1.6, 1.8, 2.0, 2.24, 2.5, 2.8, 3.15, 3.55, 4.0, 4.5, 5.0, 5.6, 6.3, 7.1, 8.0, 9.0)
_LARGEST_BOUND_MS = 63_000.0


def _bounds() -> tuple[float, ...]:
    # round() keeps the values as written (11.2, not 11.200000000000001), so their JSON keys read as written.
    every = (round(mantissa * 10**exponent, 2) for exponent in range(5) for mantissa in _R20)
    return tuple(bound for bound in every if bound <= _LARGEST_BOUND_MS)


LATENCY_BOUNDS_MS: tuple[float, ...] = _bounds()
"""Upper bounds of the latency buckets in milliseconds; one more bucket holds everything above the last."""

BUCKETS = len(LATENCY_BOUNDS_MS) + 1

PERCENTILE_ERROR = math.sqrt(max(b / a for a, b in itertools.pairwise(LATENCY_BOUNDS_MS))) - 1
"""The largest relative error of a percentile read from buckets, for latencies between 1 ms and 63 s."""

OVERFLOW_KEY = "+Inf"


def _key(bound: float) -> str:
    return f"{bound:g}"


_KEYS: tuple[str, ...] = (*(_key(bound) for bound in LATENCY_BOUNDS_MS), OVERFLOW_KEY)
_INDEX_OF_KEY = {key: index for index, key in enumerate(_KEYS)}


def bucket_of(latency_ms: float) -> int:
    """The index of the bucket that holds this latency."""
    return bisect_left(LATENCY_BOUNDS_MS, latency_ms)


def nearest_rank(fraction: float, total: int) -> int:
    """Which value, counting from 1 in ascending order, is the percentile `fraction` (0.95 for p95) of `total`."""
    if not 0 < fraction <= 1:
        raise ValueError(f"a percentile is a fraction above 0 and at most 1, not {fraction}")
    # The tolerance keeps float noise (0.95 * 60 = 57.00000000000001) from moving the rank up by one.
    return max(1, math.ceil(fraction * total - 1e-9))


def representative(index: int, largest_ms: float | None) -> float:
    """The value that stands for every latency in a bucket: its geometric middle, never above the largest seen."""
    if index == 0:
        value = LATENCY_BOUNDS_MS[0] / 2
    elif index == len(LATENCY_BOUNDS_MS):
        value = largest_ms if largest_ms is not None else LATENCY_BOUNDS_MS[-1]
    else:
        value = math.sqrt(LATENCY_BOUNDS_MS[index - 1] * LATENCY_BOUNDS_MS[index])
    return value if largest_ms is None else min(value, largest_ms)


@dataclass(frozen=True, slots=True)
class LatencyBuckets:
    """How many latencies fell in each bucket; `counts` is as long as the bounds plus one."""

    counts: tuple[int, ...] = (0,) * BUCKETS

    def __post_init__(self) -> None:
        if len(self.counts) != BUCKETS:
            raise ValueError(f"latency buckets need {BUCKETS} counts, not {len(self.counts)}")

    @classmethod
    def of(cls, latencies_ms: Iterable[float]) -> "LatencyBuckets":
        counts = [0] * BUCKETS
        for latency in latencies_ms:
            if not math.isnan(latency):
                counts[bucket_of(latency)] += 1
        return cls(tuple(counts))

    def __add__(self, other: "LatencyBuckets") -> "LatencyBuckets":
        return LatencyBuckets(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def at_most(self, bound_ms: float) -> int:
        """How many latencies were at most this bound; exact when the bound is one of the bucket bounds."""
        return sum(self.counts[: bisect_left(LATENCY_BOUNDS_MS, bound_ms) + 1])

    def percentile(self, fraction: float, largest_ms: float | None = None) -> float | None:
        """The nearest-rank percentile (`fraction` 0.95 for p95), or None when there are no latencies."""
        total = self.total
        if total == 0:
            return None
        rank = nearest_rank(fraction, total)
        seen = 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return representative(index, largest_ms)
        raise AssertionError("unreachable: the ranks add up to the total")

    def to_json(self) -> dict[str, int] | None:
        """The buckets that hold anything, keyed by their upper bound in milliseconds (`"250"`, `"+Inf"`)."""
        stored = {_KEYS[index]: count for index, count in enumerate(self.counts) if count}
        return stored or None

    @classmethod
    def from_json(cls, stored: Mapping[str, int] | Sequence[int] | None) -> "LatencyBuckets":
        """Read what `to_json` wrote; a full list of counts is read too."""
        if stored is None:
            return cls()
        if isinstance(stored, Mapping):
            counts = [0] * BUCKETS
            for key, count in stored.items():
                counts[_index_of(key)] = _count(count)
            return cls(tuple(counts))
        return cls(tuple(_count(count) for count in stored))


def _index_of(key: str) -> int:
    try:
        return _INDEX_OF_KEY[key]
    except KeyError:
        raise ValueError(f"'{key}' is not a latency bucket bound") from None


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"a bucket count is a whole number of at least 0, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Percentiles:
    p50: float | None
    p95: float | None
    p99: float | None


@dataclass(frozen=True, slots=True)
class Rollup:
    """Results of one check in one period: how many, how many failed, and their latencies."""

    count: int = 0
    failures: int = 0
    latency: LatencyBuckets = LatencyBuckets()
    max_ms: float | None = None

    def __add__(self, other: "Rollup") -> "Rollup":
        return Rollup(
            self.count + other.count,
            self.failures + other.failures,
            self.latency + other.latency,
            _larger(self.max_ms, other.max_ms),
        )

    def percentiles(self) -> Percentiles:
        return Percentiles(*(self.latency.percentile(q, self.max_ms) for q in (0.5, 0.95, 0.99)))


def _larger(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


class Tally:
    """Adds results or rollups up one at a time, so that rows can be streamed rather than held."""

    __slots__ = ("count", "counts", "failures", "max_ms")

    def __init__(self) -> None:
        self.count = 0
        self.failures = 0
        self.counts = [0] * BUCKETS
        self.max_ms: float | None = None

    def add_result(self, ok: bool, latency_ms: float | None) -> None:
        """One result. Its latency, when it has one, counts whether it passed or failed: a slow failure is slow."""
        self.count += 1
        self.failures += not ok
        if latency_ms is not None and not math.isnan(latency_ms):
            self.counts[bucket_of(latency_ms)] += 1
            self.max_ms = _larger(self.max_ms, latency_ms)

    def add_rollup(self, rollup: Rollup) -> None:
        self.count += rollup.count
        self.failures += rollup.failures
        for index, count in enumerate(rollup.latency.counts):
            self.counts[index] += count
        self.max_ms = _larger(self.max_ms, rollup.max_ms)

    def add_stored(self, count: int, failures: int, buckets: Mapping[str, int] | None, max_ms: float | None) -> None:
        """A rollup as stored, its buckets keyed by bound: adds only the buckets it holds, which is far quicker
        than a full rollup when an hour is made of sixty minutes of one or two buckets each."""
        if isinstance(buckets, Mapping):
            for key, value in buckets.items():
                self.counts[_index_of(key)] += _count(value)
        elif buckets is not None:
            for index, value in enumerate(LatencyBuckets.from_json(buckets).counts):
                self.counts[index] += value
        self.count += count
        self.failures += failures
        self.max_ms = _larger(self.max_ms, max_ms)

    def rollup(self) -> Rollup:
        return Rollup(self.count, self.failures, LatencyBuckets(tuple(self.counts)), self.max_ms)


Resolution = Literal["minute", "hour", "day"]
RESOLUTIONS: tuple[Resolution, ...] = ("minute", "hour", "day")
PERIOD: dict[Resolution, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}


def period_start(at: datetime, resolution: Resolution) -> datetime:
    """The start of the minute, hour or day (UTC) that holds this instant."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a rollup; pass an aware instant")
    utc = at.astimezone(UTC)
    if resolution == "minute":
        return utc.replace(second=0, microsecond=0)
    if resolution == "hour":
        return utc.replace(minute=0, second=0, microsecond=0)
    return utc.replace(hour=0, minute=0, second=0, microsecond=0)

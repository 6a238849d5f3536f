"""Response times by minute: what a minute rollup holds, worked out from raw results for the minutes that no
rollup covers yet. Pure."""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from watchkeeper.domain.uptime import Tally, floor_minute


@dataclass(frozen=True, slots=True)
class RawResult:
    at: datetime
    ok: bool
    total_ms: float | None


@dataclass(frozen=True, slots=True)
class MinuteFigures:
    """One minute of one check: its results, failures, and the median and 95th percentile response times."""

    start: datetime
    count: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None

    @property
    def tally(self) -> Tally:
        return Tally(self.count, self.failures)


def percentile(ordered: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of values sorted in ascending order: always a value that was measured."""
    if not ordered:
        raise ValueError("no values to take a percentile of")
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def minutes_from_results(results: Iterable[RawResult]) -> list[MinuteFigures]:
    """Results grouped by the UTC minute they started in, oldest first.

    Response times count failures too, as the minute rollups do (domain/rollups.py): a slow failure is slow,
    and a minute must read the same before and after it is rolled up. Minutes with failures are marked apart.
    """
    grouped: dict[datetime, list[RawResult]] = defaultdict(list)
    for result in results:
        grouped[floor_minute(result.at)].append(result)
    return [_figures(start, grouped[start]) for start in sorted(grouped)]


def _figures(start: datetime, results: list[RawResult]) -> MinuteFigures:
    times = sorted(r.total_ms for r in results if r.total_ms is not None)
    failures = sum(1 for r in results if not r.ok)
    if not times:
        return MinuteFigures(start, len(results), failures, None, None)
    return MinuteFigures(start, len(results), failures, percentile(times, 0.5), percentile(times, 0.95))

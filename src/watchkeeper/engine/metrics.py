"""The engine's figures in the process's Prometheus registry: runs by type and outcome, schedule lag, the
result queue, and each check's state and latest response time."""

from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class EngineMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.runs = Counter(
            "watchkeeper_check_runs", "Check runs by check type and outcome", ["type", "outcome"], registry=registry
        )
        self.lag = Histogram(
            "watchkeeper_schedule_lag_seconds",
            "Actual minus planned start of check runs",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.queue = Gauge("watchkeeper_result_queue_depth", "Finished runs waiting to be written", registry=registry)
        self.lease = Gauge(
            "watchkeeper_engine_lease_held",
            "1 while this engine holds the lease and does the work; 0 while it stands by",
            ["lease"],
            registry=registry,
        )

    def started(self, lag: float) -> None:
        self.lag.observe(lag)

    def finished(self, check_type: str, ok: bool) -> None:
        self.runs.labels(check_type, "pass" if ok else "fail").inc()


class RunFigures(Protocol):
    """Where a scheduler counts its runs: the process's metrics, or a tally a probe process reports."""

    def started(self, lag: float) -> None: ...

    def finished(self, check_type: str, ok: bool) -> None: ...


class CheckStateCollector(Collector):
    """Per-check gauges, read from the engine's state at scrape time rather than updated on every run."""

    def __init__(self, states: Callable[[], Mapping[str, str]], latency: Callable[[], Mapping[str, float]]) -> None:
        self._states = states
        self._latency = latency

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("watchkeeper_check_up", "1 when the check is UP, 0 when DOWN", labels=["check"])
        for check_id, status in sorted(self._states().items()):
            if status != "unknown":
                up.add_metric([check_id], 1.0 if status == "up" else 0.0)
        yield up
        latency = GaugeMetricFamily(
            "watchkeeper_check_response_seconds", "Total time of the check's latest run", labels=["check"]
        )
        for check_id, milliseconds in sorted(self._latency().items()):
            latency.add_metric([check_id], milliseconds / 1000)
        yield latency

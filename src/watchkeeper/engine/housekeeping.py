"""The engine's housekeeping duty: a pass a minute that rolls results up and applies retention, off the event loop
(the engine runs each duty's pass in a thread), logging what it did and counting it for /metrics."""

from prometheus_client import CollectorRegistry, Counter, Gauge

from watchkeeper.logs import get_logger
from watchkeeper.services.clock import Clock
from watchkeeper.services.housekeeping import HousekeepingReport, RetentionPolicy, housekeep
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine.housekeeping")

EVERY = 60.0
"""Seconds between passes: a minute is the finest rollup."""


class HousekeepingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.written = Counter(
            "watchkeeper_rollups_written", "Rollup rows written, by resolution", ["resolution"], registry=registry
        )
        self.deleted = Counter(
            "watchkeeper_retention_deleted_rows", "Rows deleted by retention, by table", ["table"], registry=registry
        )
        self.last_success = Gauge(
            "watchkeeper_housekeeping_last_success_timestamp_seconds",
            "When the latest housekeeping pass (rollups and retention) finished without an error",
            registry=registry,
        )


class Housekeeping:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: RetentionPolicy,
        registry: CollectorRegistry | None = None,
        budget: float = 10.0,
    ) -> None:
        self.db, self.clock, self.policy, self.budget = db, clock, policy, budget
        self.metrics = HousekeepingMetrics(registry) if registry is not None else None

    def run_pass(self) -> None:
        self.pass_once()

    def pass_once(self) -> HousekeepingReport:
        report = housekeep(self.db, self.clock.now(), self.policy, budget=self.budget)
        self._log(report)
        if self.metrics is not None:
            self._count(report, self.metrics)
            self.metrics.last_success.set(self.clock.now().timestamp())
        return report

    def _log(self, report: HousekeepingReport) -> None:
        rollups = report.rollups
        figures = {
            "minutes": rollups.written["minute"],
            "hours": rollups.written["hour"],
            "days": rollups.written["day"],
            "late_checks": sum(rollups.late.values()),
            "results_deleted": report.results_deleted,
            "rollups_deleted": report.rollups_deleted,
            "pings_deleted": report.pings_deleted,
            "partitions_made": [f"{day}" for day in report.partitions_made],
            "partitions_dropped": [f"{day}" for day in report.partitions_dropped],
            "moved_from_default": report.moved_from_default,
        }
        done = {f"{resolution}s_until": f"{until:%Y-%m-%d %H:%M}" for resolution, until in rollups.done_until.items()}
        if report.put_off is not None:
            log.warning("old partitions left for the next pass", reason=report.put_off)
        if not report.finished:
            log.warning("housekeeping is catching up; the next pass goes on", **figures, **done)
        elif any(figures.values()):
            log.info("housekeeping", **figures, **done)
        else:
            log.debug("housekeeping: nothing to do", **done)

    @staticmethod
    def _count(report: HousekeepingReport, metrics: HousekeepingMetrics) -> None:
        for resolution, written in report.rollups.written.items():
            metrics.written.labels(resolution=resolution).inc(written)
        metrics.deleted.labels(table="check_results").inc(report.results_deleted)
        metrics.deleted.labels(table="check_rollups").inc(report.rollups_deleted)
        metrics.deleted.labels(table="heartbeat_pings").inc(report.pings_deleted)

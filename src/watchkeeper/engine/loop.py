"""The engine loop: repeatable passes of each duty until told to stop."""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from watchkeeper.catalog.checks import unprobed_types
from watchkeeper.channels import ChannelType
from watchkeeper.engine import housekeeping
from watchkeeper.engine.alerting import ALERTS_LEASE, Alerting, Delivery
from watchkeeper.engine.heartbeats import HeartbeatWatch
from watchkeeper.engine.lease import Lease
from watchkeeper.engine.metrics import CheckStateCollector, EngineMetrics
from watchkeeper.engine.probes import ProbeProcesses, ProbeSettings
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.engine.scheduler import WHOLE, Scheduler
from watchkeeper.logs import get_logger
from watchkeeper.services import processes
from watchkeeper.services.clock import Clock
from watchkeeper.services.delivery import DeliveryPolicy
from watchkeeper.services.housekeeping import RetentionPolicy
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine")


@dataclass(frozen=True)
class Duty:
    """One kind of background work: a pass that is safe to repeat, and how often to run it."""

    name: str
    run_pass: Callable[[], None]
    every: float


CHECKS_LEASE = "checks"
"""Held by the engine that runs the checks; any other engine is a hot standby."""


class Engine:
    """The engine role. With `probes` of 2 or more the checks run in that many probe processes and this
    process keeps the other duties (and heartbeat checks, which pings drive); with 1 they run here."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        process_id: str,
        heartbeat_every: float,
        registry: CollectorRegistry | None = None,
        run_checks: bool = True,
        probes: ProbeSettings | None = None,
        probe_processes: int = 1,
        retention: RetentionPolicy | None = None,
        outbox: Outbox | None = None,
        delivery: DeliveryPolicy | None = None,
        channels: Mapping[str, ChannelType] | None = None,
    ) -> None:
        self.alerting = Alerting(db, clock, outbox or Outbox())
        self.alerts_lease = Lease(db, clock, ALERTS_LEASE, process_id)
        self.delivery = Delivery(db, clock, delivery or DeliveryPolicy(), channels)
        self.duties = [Duty("heartbeat", lambda: processes.beat(db, process_id, clock.now()), heartbeat_every)]
        if retention is not None:
            keeper = housekeeping.Housekeeping(db, clock, retention, registry)
            self.duties.append(Duty("housekeeping", keeper.run_pass, housekeeping.EVERY))
        metrics = EngineMetrics(registry) if registry is not None else None
        self.children: ProbeProcesses | None = None
        self.writer: ResultWriter | None = None
        self.scheduler: Scheduler | None = None
        self.heartbeats: HeartbeatWatch | None = None
        self.lease = Lease(db, clock, CHECKS_LEASE, process_id)
        self._stop = asyncio.Event()
        """The stop `run` was given: work that ends without it lost the lease."""
        if not run_checks:
            return
        if probe_processes > 1:
            self.children = ProbeProcesses(probes or ProbeSettings(db.url, WHOLE), probe_processes, metrics)
            self.writer = ResultWriter(db, check_types=unprobed_types())
        else:
            self.writer = ResultWriter(db)
            self.scheduler = Scheduler(db, clock, self.writer, metrics=metrics)
        self.heartbeats = HeartbeatWatch(db, clock, self.writer)
        if registry is not None and metrics is not None:
            self._export(registry, metrics)

    def _export(self, registry: CollectorRegistry, metrics: EngineMetrics) -> None:
        writer, children = self.writer, self.children
        assert writer is not None
        metrics.lease.labels(CHECKS_LEASE).set_function(lambda: 1.0 if self.lease.held else 0.0)
        if children is None:
            metrics.queue.set_function(writer.queue.qsize)
            registry.register(CheckStateCollector(writer.statuses, writer.latencies))
        else:
            metrics.queue.set_function(lambda: writer.queue.qsize() + children.queue_depth())
            # {**a, **b} copies in one step under the GIL, so a scrape's thread never sees a dict mid-change.
            registry.register(
                CheckStateCollector(
                    lambda: {**children.statuses, **writer.statuses()},
                    lambda: {**children.latency, **writer.latencies()},
                )
            )

    async def run(self, stop: asyncio.Event) -> None:
        log.info("engine started", duties=[d.name for d in self.duties], checks=self.writer is not None)
        self._stop = stop
        async with asyncio.TaskGroup() as group:
            for duty in self.duties:
                group.create_task(self._repeat(duty, stop))
            group.create_task(self.alerts_lease.hold(stop, self.alerting.run))
            group.create_task(self.delivery.run(stop))
            if self.writer is not None:
                group.create_task(self.lease.hold(stop, self._run_checks))
        log.info("engine stopped")

    async def _run_checks(self, end: asyncio.Event) -> None:
        """The checks, in this process or in probe processes, until `end`; every result is saved."""
        assert self.writer is not None
        async with asyncio.TaskGroup() as group:
            group.create_task(run_checks(self.writer, self.scheduler, end, self.heartbeats))
            if self.children is not None:
                group.create_task(self.children.run(end))
        if not self._stop.is_set():
            # The lease was lost: another engine runs the checks now, and a standby exports none of them,
            # so that only one process reports each check. Kept on a stop, for a last scrape.
            self.writer.forget()
            if self.children is not None:
                self.children.forget()

    async def _repeat(self, duty: Duty, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(duty.run_pass)
            except Exception as error:  # a failed pass is logged and tried again next time
                log.error("duty failed", duty=duty.name, error=str(error), error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=duty.every)

"""The engine loop: repeatable passes of each duty until told to stop."""

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from watchkeeper.engine import housekeeping
from watchkeeper.engine.heartbeats import HeartbeatWatch
from watchkeeper.engine.metrics import CheckStateCollector, EngineMetrics
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.scheduler import Scheduler
from watchkeeper.logs import get_logger
from watchkeeper.services import processes
from watchkeeper.services.clock import Clock
from watchkeeper.services.housekeeping import RetentionPolicy
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine")


@dataclass(frozen=True)
class Duty:
    """One kind of background work: a pass that is safe to repeat, and how often to run it."""

    name: str
    run_pass: Callable[[], None]
    every: float


class Engine:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        process_id: str,
        heartbeat_every: float,
        registry: CollectorRegistry | None = None,
        run_checks: bool = True,
        retention: RetentionPolicy | None = None,
    ) -> None:
        self.duties = [Duty("heartbeat", lambda: processes.beat(db, process_id, clock.now()), heartbeat_every)]
        if retention is not None:
            keeper = housekeeping.Housekeeping(db, clock, retention, registry)
            self.duties.append(Duty("housekeeping", keeper.run_pass, housekeeping.EVERY))
        self.writer = ResultWriter(db) if run_checks else None
        self.scheduler = None
        self.heartbeats = None
        if self.writer is not None:
            self.scheduler = Scheduler(db, clock, self.writer, metrics=self._metrics(registry, self.writer))
            self.heartbeats = HeartbeatWatch(db, clock, self.writer)

    @staticmethod
    def _metrics(registry: CollectorRegistry | None, writer: ResultWriter) -> EngineMetrics | None:
        if registry is None:
            return None
        metrics = EngineMetrics(registry)
        metrics.queue.set_function(writer.queue.qsize)
        registry.register(CheckStateCollector(lambda: writer.states, lambda: writer.latency))
        return metrics

    async def run(self, stop: asyncio.Event) -> None:
        log.info("engine started", duties=[d.name for d in self.duties], checks=self.scheduler is not None)
        async with asyncio.TaskGroup() as group:
            for duty in self.duties:
                group.create_task(self._repeat(duty, stop))
            if self.writer is not None and self.scheduler is not None:
                group.create_task(run_checks(self.writer, self.scheduler, stop, self.heartbeats))
        log.info("engine stopped")

    async def _repeat(self, duty: Duty, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.to_thread(duty.run_pass)
            except Exception as error:  # a failed pass is logged and tried again next time
                log.error("duty failed", duty=duty.name, error=str(error), error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=duty.every)


async def run_checks(
    writer: ResultWriter, scheduler: Scheduler, stop: asyncio.Event, heartbeats: HeartbeatWatch | None = None
) -> None:
    """Run checks until `stop`; then let the writer save every result still queued before returning."""
    await writer.load()
    probes_done = asyncio.Event()

    async def probing() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(scheduler.run(stop))
                if heartbeats is not None:
                    group.create_task(heartbeats.run(stop))
        finally:
            probes_done.set()

    await asyncio.gather(probing(), writer.run(probes_done))

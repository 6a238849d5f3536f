"""Running checks in one process: the scheduler (and the heartbeat watch, where this process has it) feed
the result writer, which saves everything still queued before the run ends."""

import asyncio

from watchkeeper.engine.heartbeats import HeartbeatWatch
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.scheduler import Scheduler


async def run_checks(
    writer: ResultWriter,
    scheduler: Scheduler | None,
    stop: asyncio.Event,
    heartbeats: HeartbeatWatch | None = None,
) -> None:
    """Run checks until `stop`; then let the writer save every result still queued before returning."""
    await writer.load()
    probes_done = asyncio.Event()

    async def probing() -> None:
        try:
            async with asyncio.TaskGroup() as group:
                if scheduler is not None:
                    group.create_task(scheduler.run(stop))
                if heartbeats is not None:
                    group.create_task(heartbeats.run(stop))
        finally:
            probes_done.set()

    await asyncio.gather(probing(), writer.run(probes_done))

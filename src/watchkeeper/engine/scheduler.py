"""The scheduler: every active check starts at its own phase in its interval, start to start, with a global
bound on how many run at once. The set of checks is re-read from the database, so a catalog reload adds,
removes and changes checks without a restart; state lives apart, keyed by check id, and survives."""

import asyncio
import contextlib
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import select

from watchkeeper.catalog.checks import CheckConfig, check_types
from watchkeeper.checks.context import ProbeContext, probe_context
from watchkeeper.domain.schedule import next_start, phase
from watchkeeper.engine.metrics import EngineMetrics
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.logs import get_logger
from watchkeeper.services.check_once import run_once
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.engine.scheduler")


@dataclass
class _Entry:
    config: CheckConfig
    spec: dict[str, Any]
    interval: float
    offset: float


class Scheduler:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        writer: ResultWriter,
        *,
        concurrency: int = 500,
        per_host: int = 20,
        refresh_every: float = 5.0,
        wall: Callable[[], float] = time.time,
        metrics: EngineMetrics | None = None,
    ) -> None:
        self.metrics = metrics
        self.db, self.clock, self.writer = db, clock, writer
        self.concurrency = concurrency
        self.per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.refresh_every = refresh_every
        self.wall = wall
        self.entries: dict[str, _Entry] = {}
        self._heap: list[tuple[float, str, int]] = []
        self._generation: dict[str, int] = {}
        self.lags: list[float] = []
        """Recent schedule lags (actual minus planned start, seconds), for metrics and benchmarks."""

    async def run(self, stop: asyncio.Event) -> None:
        running: set[asyncio.Task[None]] = set()
        limit = asyncio.Semaphore(self.concurrency)
        async with probe_context(self.concurrency) as context:
            refreshed = 0.0
            while not stop.is_set():
                if self.wall() - refreshed >= self.refresh_every:
                    await self.refresh()
                    refreshed = self.wall()
                for check_id, planned in self._due():
                    task = asyncio.create_task(self._run(check_id, planned, context, limit))
                    running.add(task)
                    task.add_done_callback(running.discard)
                await self._sleep(stop, refreshed)
            if running:
                await asyncio.wait(running, timeout=15)

    async def refresh(self) -> None:
        """Make the schedule match the checks table: new checks join at their phase, removed ones leave,
        changed ones take their new definition (and interval) from their next start."""
        rows = await asyncio.to_thread(self._read_checks)
        wanted: dict[str, _Entry] = {}
        for check_id, check_type, spec in rows:
            config = _config(check_type, spec)
            if config is not None:
                interval = config.interval.total_seconds()
                wanted[check_id] = _Entry(config, spec, interval, phase(check_id, interval))
        now = self.wall()
        for check_id, entry in wanted.items():
            current = self.entries.get(check_id)
            if current is None or current.spec != entry.spec:
                self.entries[check_id] = entry
                self._schedule(check_id, next_start(now, entry.interval, entry.offset))
        for check_id in set(self.entries) - set(wanted):
            del self.entries[check_id]
            self._generation[check_id] = self._generation.get(check_id, 0) + 1  # its heap entries go stale

    def _read_checks(self) -> list[tuple[str, str, dict[str, Any]]]:
        query = select(t.checks.c.id, t.checks.c.type, t.checks.c.spec).where(t.checks.c.paused.is_(False))
        with self.db.reading() as connection:
            return [(row.id, row.type, row.spec) for row in connection.execute(query)]

    def _schedule(self, check_id: str, at: float) -> None:
        generation = self._generation.get(check_id, 0) + 1
        self._generation[check_id] = generation
        heapq.heappush(self._heap, (at, check_id, generation))

    def _due(self) -> list[tuple[str, float]]:
        now = self.wall()
        due = []
        while self._heap and self._heap[0][0] <= now:
            planned, check_id, generation = heapq.heappop(self._heap)
            if self._generation.get(check_id) != generation or check_id not in self.entries:
                continue
            entry = self.entries[check_id]
            due.append((check_id, planned))
            # Start to start on a fixed grid: a late or slow run does not push later runs back.
            self._schedule(check_id, next_start(max(planned, now - entry.interval), entry.interval, entry.offset))
        return due

    async def _sleep(self, stop: asyncio.Event, refreshed: float) -> None:
        wake = refreshed + self.refresh_every
        if self._heap:
            wake = min(wake, self._heap[0][0])
        delay = max(0.0, min(wake - self.wall(), 1.0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)

    def _host_limit(self, config: CheckConfig) -> asyncio.Semaphore:
        host = _host(config)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.per_host)
        return self._hosts[host]

    async def _run(self, check_id: str, planned: float, context: ProbeContext, limit: asyncio.Semaphore) -> None:
        entry = self.entries.get(check_id)
        if entry is None:
            return
        async with limit, self._host_limit(entry.config):
            lag = self.wall() - planned
            self.lags.append(lag)
            del self.lags[:-10_000]
            if self.metrics is not None:
                self.metrics.lag.observe(lag)
            try:
                result = await run_once(entry.config, context, self.clock)
            except Exception as error:  # a probe bug must not stop the engine; the check shows it
                log.error("check run failed", check=check_id, error_type=type(error).__name__, exc_info=error)
                return
        if self.metrics is not None:
            self.metrics.runs.labels(result.check_type, "pass" if result.verdict.ok else "fail").inc()
        self.writer.submit(Finished(result, entry.config.down_after, entry.config.up_after))


def _host(config: CheckConfig) -> str:
    """The host a check talks to, for the per-host bound: one slow or fragile target is not hammered."""
    url = getattr(config, "url", None)
    if isinstance(url, str):
        return urlsplit(url).hostname or url
    return str(getattr(config, "resolver", None) or getattr(config, "host", None) or config.id)


def _config(check_type: str, spec: dict[str, Any]) -> CheckConfig | None:
    known = check_types().get(check_type)
    if known is None or known.probe is None:
        return None  # heartbeat checks are driven by pings, not by the scheduler
    try:
        return known.config.model_validate(spec)
    except ValidationError as error:
        log.error("stored check cannot be read; skipped", check=spec.get("id"), error=str(error))
        return None

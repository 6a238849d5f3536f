"""The scheduler: every active check starts at its own phase in its interval, start to start, with a global
bound on how many run at once. The set of checks is re-read from the database, so a catalog reload adds,
removes and changes checks without a restart; state lives apart, keyed by check id, and survives."""

import asyncio
import collections
import gc
import heapq
import time
from collections.abc import Callable

from watchkeeper.checks.context import ProbeContext, probe_context
from watchkeeper.domain.schedule import Shard, next_start
from watchkeeper.engine.entries import CheckEntry, CheckTable
from watchkeeper.engine.metrics import RunFigures
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.logs import get_logger
from watchkeeper.memory import give_back
from watchkeeper.services.check_once import run_once
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine.scheduler")

GC_THRESHOLDS = (20_000, 50, 100)
"""Python's default (2,000, 10, 10) runs a full collection every 200,000 allocations; each request allocates
hundreds of objects, and a full collection walks every check loaded. Measured with 40,000 checks in one
process: 1,860 checks/s at 0.57 CPU-ms each by default, 3,360 at 0.33 with these thresholds and settle_memory."""

TICK = 0.01
"""Seconds the scheduler sleeps at least between rounds of starting due checks."""

WHOLE = Shard()
"""Every check: the share of a scheduler that runs in the engine's own process."""


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
        metrics: RunFigures | None = None,
        shard: Shard = WHOLE,
    ) -> None:
        self.metrics = metrics
        self.db, self.clock, self.writer = db, clock, writer
        self.concurrency = concurrency
        self.per_host = per_host
        self._busy: collections.Counter[str] = collections.Counter()
        """Runs in flight to each host: at most `per_host`."""
        self._held: dict[str, collections.deque[tuple[CheckEntry, float]]] = {}
        self._held_ids: set[str] = set()
        self.refresh_every = refresh_every
        self.wall = wall
        self.table = CheckTable(db, shard.owns)
        self.entries: dict[str, CheckEntry] = {}
        self._heap: list[tuple[float, str]] = []
        """(planned start, check id); an item is live while it matches its entry's `next_at`."""
        self.lags: list[float] = []
        """Recent schedule lags (actual minus planned start, seconds), for metrics and benchmarks."""

    async def run(self, stop: asyncio.Event) -> None:
        """Start each check when it is due and a slot is free. A due check waits in the schedule, not as a
        task, so an overloaded engine falls behind (and its lag shows it) without piling up tasks."""
        collect_less_often()
        # A fresh schedule each run: an engine that runs the checks again after standing by starts on time.
        self.table = CheckTable(self.db, self.table.owns)
        self.entries, self._heap = {}, []
        self._busy.clear()
        self._held.clear()
        self._held_ids.clear()
        running: set[asyncio.Task[None]] = set()
        wake = asyncio.Event()
        stopping = asyncio.ensure_future(stop.wait())
        stopping.add_done_callback(lambda _: wake.set())

        def finished(task: asyncio.Task[None]) -> None:
            running.discard(task)
            wake.set()

        try:
            async with probe_context(self.concurrency) as context:
                await self._loop(stop, wake, running, finished, context)
        finally:
            stopping.cancel()

    async def _loop(
        self,
        stop: asyncio.Event,
        wake: asyncio.Event,
        running: set[asyncio.Task[None]],
        finished: Callable[[asyncio.Task[None]], None],
        context: ProbeContext,
    ) -> None:
        refreshed = 0.0
        while not stop.is_set():
            if self.wall() - refreshed >= self.refresh_every:
                await self._refresh_or_keep()
                refreshed = self.wall()
            launch = self._launcher(running, finished, context)
            self._start_held(launch, running)
            for entry, planned in self._due(self.concurrency - len(running)):
                if self._busy[entry.host] < self.per_host:
                    launch(entry, planned)
                elif entry.config.id not in self._held_ids:
                    # Waits without a slot, so one hanging host cannot hold the slots every other host needs.
                    self._held.setdefault(entry.host, collections.deque()).append((entry, planned))
                    self._held_ids.add(entry.config.id)
                # else its previous run is still waiting for the host: this one is skipped, and lag shows it
            await self._sleep(wake, refreshed, full=len(running) >= self.concurrency)
        if running:
            await asyncio.wait(running, timeout=15)

    def _launcher(
        self,
        running: set[asyncio.Task[None]],
        finished: Callable[[asyncio.Task[None]], None],
        context: ProbeContext,
    ) -> Callable[[CheckEntry, float], None]:
        def launch(entry: CheckEntry, planned: float) -> None:
            self._busy[entry.host] += 1
            task = asyncio.create_task(self._run(entry, planned, context))
            running.add(task)
            task.add_done_callback(finished)

        return launch

    def _start_held(self, launch: Callable[[CheckEntry, float], None], running: set[asyncio.Task[None]]) -> None:
        """Runs held for a busy host, started as its runs finish, oldest first."""
        for host in list(self._held):
            waiting = self._held[host]
            while waiting and self._busy[host] < self.per_host and len(running) < self.concurrency:
                entry, planned = waiting.popleft()
                self._held_ids.discard(entry.config.id)
                if self.entries.get(entry.config.id) is entry:  # not removed or changed meanwhile
                    launch(entry, planned)
            if not waiting:
                del self._held[host]

    async def _refresh_or_keep(self) -> None:
        try:
            await self.refresh()
        except Exception as error:  # the database is away: keep running the checks already known
            log.error("could not read the checks; keeping the current schedule", error=str(error))

    async def refresh(self) -> None:
        """Make the schedule match the checks table: new checks join at their phase, removed ones leave,
        changed ones take their new definition (and interval) from their next start."""
        if not await asyncio.to_thread(self.table.changed):
            return
        wanted = await asyncio.to_thread(self.table.read, self.entries)
        now = self.wall()
        for check_id, entry in wanted.items():
            current = self.entries.get(check_id)
            if current is not entry:
                self.entries[check_id] = entry
                self._schedule(entry, check_id, next_start(now, entry.interval, entry.offset), current)
        for check_id in set(self.entries) - set(wanted):
            del self.entries[check_id]  # its heap item no longer matches an entry, so it is skipped
        settle_memory()

    def _schedule(self, entry: CheckEntry, check_id: str, at: float, replacing: CheckEntry | None = None) -> None:
        entry.next_at = at
        if replacing is None or replacing.next_at != at:  # else the item already in the heap serves the new entry
            heapq.heappush(self._heap, (at, check_id))

    def _due(self, free: int) -> list[tuple[CheckEntry, float]]:
        now = self.wall()
        due: list[tuple[CheckEntry, float]] = []
        while len(due) < free and self._heap and self._heap[0][0] <= now:
            planned, check_id = heapq.heappop(self._heap)
            entry = self.entries.get(check_id)
            if entry is None or entry.next_at != planned:
                continue  # the check was removed, or changed and scheduled anew
            due.append((entry, planned))
            # Start to start on a fixed grid: a late or slow run does not push later runs back.
            self._schedule(
                entry, check_id, next_start(max(planned, now - entry.interval), entry.interval, entry.offset)
            )
        return due

    async def _sleep(self, wake: asyncio.Event, refreshed: float, full: bool) -> None:
        """Until the next check is due (and a slot is free), the next refresh, or the stop, at most 1 s. At
        least TICK: checks due within one tick start together, which costs them a few milliseconds of lag
        and saves the loop a wake-up for each of thousands of checks a second."""
        until = refreshed + self.refresh_every
        if self._heap and not full:
            until = min(until, self._heap[0][0])
        delay = min(max(until - self.wall(), TICK), 1.0)
        wake.clear()
        timer = asyncio.get_running_loop().call_later(delay, wake.set)
        await wake.wait()
        timer.cancel()

    async def _run(self, entry: CheckEntry, planned: float, context: ProbeContext) -> None:
        config = entry.config
        try:
            lag = self.wall() - planned
            self.lags.append(lag)
            if len(self.lags) > 20_000:
                del self.lags[:-10_000]
            if self.metrics is not None:
                self.metrics.started(lag)
            try:
                result = await run_once(config, context, self.clock)
            except Exception as error:  # a probe bug must not stop the engine; the check shows it
                log.error("check run failed", check=config.id, error_type=type(error).__name__, exc_info=error)
                return
        finally:
            self._busy[entry.host] -= 1
        if self.metrics is not None:
            self.metrics.finished(result.check_type, result.verdict.ok)
        self.writer.submit(Finished(result, config.down_after, config.up_after))


def collect_less_often() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def settle_memory() -> None:
    """After the checks changed: their definitions live until the next change, so they are moved out of the
    collector's sight (gc.freeze) rather than walked again in every full collection. A frozen object that
    turns to garbage is still freed as usual; only cycles among frozen objects would stay, and definitions
    make none."""
    give_back()
    gc.freeze()

"""Probe processes: the checks run in one child process per core, each with its own share of the checks
(`Shard`), its own event loop, scheduler and result writer. One Python process uses one core, and TLS
handshakes and HTTP parsing are CPU work, so this is how the engine uses the whole machine.

The engine process supervises them: it starts them, restarts one that dies, tells them to stop (each then
finishes its runs and saves its results), and folds the figures they report each second into its own
metrics. A child that loses its engine (killed with -9) sees its command pipe close and stops by itself."""

import asyncio
import contextlib
import multiprocessing
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from watchkeeper.catalog.checks import probed_types
from watchkeeper.domain.schedule import Shard
from watchkeeper.engine.metrics import EngineMetrics
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.engine.scheduler import Scheduler
from watchkeeper.logs import configure_logging, get_logger
from watchkeeper.services.clock import SystemClock
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine.probes")

REPORT_EVERY = 1.0
STOP_GRACE = 25.0
"""How long a probe process may take to finish its runs (at most a check timeout) and save its results."""
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class ProbeSettings:
    """What a probe process is started with: it reads its checks and writes its results itself."""

    database_url: str
    shard: Shard
    concurrency: int = 500
    per_host: int = 20
    log_level: str = "INFO"
    log_format: str = "json"


@dataclass
class Report:
    """A probe process's figures since its last report."""

    runs: Counter[tuple[str, bool]] = field(default_factory=Counter)
    lags: list[float] = field(default_factory=list)
    queue: int = 0
    statuses: dict[str, str] = field(default_factory=dict)
    latency: dict[str, float] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    """Checks the process dropped (removed from the catalog or paused): they leave the engine's metrics."""


class Tally:
    """Counts a probe process's runs between reports (the scheduler's RunFigures)."""

    def __init__(self) -> None:
        self.report = Report()

    def started(self, lag: float) -> None:
        self.report.lags.append(lag)

    def finished(self, check_type: str, ok: bool) -> None:
        self.report.runs[(check_type, ok)] += 1

    def take(self, writer: ResultWriter) -> Report:
        """The report to send: the status and latest time of each check run or taken up since the last one,
        and the checks dropped since then."""
        report, self.report = self.report, Report()
        report.queue = writer.queue.qsize()
        touched, report.gone = writer.take_changes()
        for check_id in touched:
            state = writer.states.get(check_id)
            if state is None or check_id not in writer.active:
                continue  # a late run of a check that has gone; it is not exported
            report.statuses[check_id] = state.status
            if check_id in writer.latency:
                report.latency[check_id] = writer.latency[check_id]
        return report


class ProbeProcesses:
    """The engine's side: one supervised child per shard, and the merged figures of all of them."""

    def __init__(self, settings: ProbeSettings, count: int, metrics: EngineMetrics | None = None) -> None:
        self.settings = settings
        self.count = count
        self.metrics = metrics
        self.statuses: dict[str, str] = {}
        self.latency: dict[str, float] = {}
        self.queues: dict[int, int] = {}
        self.lags: list[float] = []
        """Recent schedule lags from every probe process, for benchmarks and tests."""
        self.pids: dict[int, int] = {}
        self._first_report: set[int] = set()
        """Shards whose process has not reported yet: its first report replaces what an earlier one left."""

    async def run(self, stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as group:
            for index in range(self.count):
                shard = Shard(index, self.count)
                group.create_task(self._supervise(ProbeSettings(**{**vars(self.settings), "shard": shard}), stop))

    def queue_depth(self) -> int:
        return sum(self.queues.values())

    def forget(self) -> None:
        """Drop every check's figures (the probe processes have stopped and this engine no longer runs them)."""
        self.statuses, self.latency = {}, {}

    async def _supervise(self, settings: ProbeSettings, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            started = time.monotonic()
            exitcode = await self._run_child(settings, stop)
            if stop.is_set():
                return
            failures = 1 if time.monotonic() - started > 60 else failures + 1  # a long run forgives the past
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS)) - 1]
            log.error("probe process ended; restarting", shard=settings.shard.index, exitcode=exitcode, after=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)

    async def _run_child(self, settings: ProbeSettings, stop: asyncio.Event) -> int | None:
        context = multiprocessing.get_context("spawn")  # never fork a process that has threads and a loop
        reports_in, reports_out = context.Pipe(duplex=False)
        commands_in, commands_out = context.Pipe(duplex=False)
        process = context.Process(
            target=probe_main,
            args=(settings, commands_in, reports_out),
            name=f"watchkeeper-probe-{settings.shard.index}",
        )
        await asyncio.to_thread(process.start)
        reports_out.close()  # so that the child's end closing reads as the end of its reports
        commands_in.close()
        index = settings.shard.index
        self.pids[index] = process.pid or 0
        self._first_report.add(index)
        log.info("probe process started", shard=index, of=settings.shard.count, pid=process.pid)
        loop = asyncio.get_running_loop()
        reading = asyncio.ensure_future(asyncio.to_thread(self._read, reports_in, index, loop))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.done():
            await self._stop(process, commands_out, reading)
        stopping.cancel()
        await reading
        await asyncio.to_thread(process.join, 5)
        reports_in.close()
        commands_out.close()
        self.queues.pop(index, None)
        return process.exitcode

    async def _stop(self, process: BaseProcess, commands: Connection, reading: "asyncio.Future[None]") -> None:
        with contextlib.suppress(OSError):
            commands.send("stop")
        try:
            await asyncio.wait_for(asyncio.shield(reading), timeout=STOP_GRACE)
        except TimeoutError:
            log.error("probe process did not stop in time; killed", pid=process.pid)
            process.kill()

    def _read(self, reports: Connection, index: int, loop: asyncio.AbstractEventLoop) -> None:
        """Take reports until the child's end closes; each is applied on the event loop."""
        while True:
            try:
                report = reports.recv()
            except (EOFError, OSError):
                return
            loop.call_soon_threadsafe(self._apply, index, report)

    def _apply(self, index: int, report: Report) -> None:
        self.queues[index] = report.queue
        if index in self._first_report:  # a restarted process: what its predecessor reported may be stale
            self._first_report.discard(index)
            self._drop_share(Shard(index, self.count))
        for check_id in report.gone:
            self.statuses.pop(check_id, None)
            self.latency.pop(check_id, None)
        self.statuses.update(report.statuses)
        self.latency.update(report.latency)
        self.lags.extend(report.lags)
        del self.lags[:-10_000]
        if self.metrics is not None:
            for lag in report.lags:
                self.metrics.started(lag)
            for (check_type, ok), count in report.runs.items():
                self.metrics.runs.labels(check_type, "pass" if ok else "fail").inc(count)

    def _drop_share(self, shard: Shard) -> None:
        for figures in (self.statuses, self.latency):
            for check_id in [check_id for check_id in figures if shard.owns(check_id)]:
                del figures[check_id]


def probe_main(settings: ProbeSettings, commands: Connection, reports: Connection) -> None:
    """A probe process: runs its share of the checks until the engine says stop or goes away."""
    # Ctrl+C and SIGTERM reach the whole process group; the engine decides when its probes stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(settings.log_level, settings.log_format)
    import uvloop

    uvloop.run(_probe(settings, commands, reports))


async def _probe(settings: ProbeSettings, commands: Connection, reports: Connection) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    threading.Thread(target=_await_stop, args=(commands, loop, stop), daemon=True).start()
    db = Database(settings.database_url)
    tally = Tally()
    writer = ResultWriter(db, owns=settings.shard.owns, check_types=probed_types())
    writer.track_changes()
    scheduler = Scheduler(
        db,
        SystemClock(),
        writer,
        concurrency=settings.concurrency,
        per_host=settings.per_host,
        metrics=tally,
        shard=settings.shard,
    )
    reporting = asyncio.create_task(_report(tally, writer, reports, stop))
    try:
        await run_checks(writer, scheduler, stop)
    finally:
        stop.set()
        await reporting
        db.dispose()


def _await_stop(commands: Connection, loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    with contextlib.suppress(EOFError, OSError):
        commands.recv()  # "stop", or the end of the pipe when the engine is gone
    loop.call_soon_threadsafe(stop.set)


async def _report(tally: Tally, writer: ResultWriter, reports: Connection, stop: asyncio.Event) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=REPORT_EVERY)
        try:
            reports.send(tally.take(writer))
        except OSError:
            return  # the engine is gone; the stop thread ends the run
        if stop.is_set():
            return

"""The result writer: one task that takes finished runs off a queue, advances each check's state machine, and
writes results, states and changes in batches, so that thousands of runs a second cost a few transactions."""

import asyncio
import contextlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from watchkeeper.domain.state import CheckState, advance, flap_change
from watchkeeper.logs import get_logger
from watchkeeper.services.check_once import CheckResult
from watchkeeper.store import Database
from watchkeeper.store.check_runs import RunRecord, load_states, save_runs

log = get_logger("watchkeeper.engine.results")


@dataclass(frozen=True)
class Finished:
    result: CheckResult
    down_after: int
    up_after: int
    ping_id: int | None = None
    """The heartbeat ping this result came from, marked seen in the transaction that saves the result."""


MAX_UNSAVED = 200_000
"""Runs kept while the database cannot take them: two minutes of a busy engine; the oldest go first."""
RETRY_AFTER = 1.0
MAX_SHARED_RECENTS = 10_000


class ResultWriter:
    def __init__(
        self,
        db: Database,
        batch_size: int = 1000,
        flush_every: float = 0.5,
        owns: Callable[[str], bool] = lambda _check_id: True,
        check_types: Collection[str] | None = None,
    ) -> None:
        self.db = db
        self.owns = owns
        self.check_types = check_types
        self.batch_size = batch_size
        self.flush_every = flush_every
        self.queue: asyncio.Queue[Finished] = asyncio.Queue()
        self.states: dict[str, CheckState] = {}
        self.latency: dict[str, float] = {}
        self._unsaved: list[RunRecord] = []
        self.touched: set[str] | None = None
        """When a set, the ids of the checks run since it was last emptied (a probe process's report)."""
        self._recents: dict[tuple[bool, ...], tuple[bool, ...]] = {}
        """The latest run's total milliseconds per check."""

    async def load(self) -> None:
        def read() -> dict[str, CheckState]:
            with self.db.reading() as connection:
                return load_states(connection, self.owns, self.check_types)

        self.states = await asyncio.to_thread(read)

    def statuses(self) -> dict[str, str]:
        return {check_id: state.status for check_id, state in self.states.items()}

    def submit(self, finished: Finished) -> None:
        self.queue.put_nowait(finished)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush until told to stop, then flush what is left, so that no finished run is lost on a clean stop."""
        while not stop.is_set() or not self.queue.empty():
            batch = await self._gather(stop)
            if batch or self._unsaved:
                await self._write(batch)
        if self._unsaved:
            await self._write([])  # a last try for what a database outage held back
        if self._unsaved:
            log.error("check results lost: the database could not take them", count=len(self._unsaved))

    async def _gather(self, stop: asyncio.Event) -> list[Finished]:
        """The next batch: what arrives within `flush_every` of the first run waiting, up to `batch_size`, so
        that a quiet engine writes a few transactions a second rather than one for every run."""
        try:
            first = await asyncio.wait_for(self.queue.get(), timeout=self.flush_every)
        except TimeoutError:
            return []
        if not stop.is_set() and self.queue.qsize() < self.batch_size:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.flush_every)
        batch = [first]
        while len(batch) < self.batch_size and not self.queue.empty():
            batch.append(self.queue.get_nowait())
        return batch

    async def _write(self, batch: list[Finished]) -> None:
        """Save the batch, after any runs an earlier failure held back, oldest first, so that each check's
        state row ends at its latest run. A failed save keeps them all (up to MAX_UNSAVED) to try again."""
        fresh = [self._advance(finished) for finished in batch]
        runs = self._unsaved + fresh

        def save() -> None:
            with self.db.transaction() as connection:
                save_runs(connection, runs)

        try:
            await asyncio.to_thread(save)
            self._unsaved = []
        except Exception as error:  # the database is away: keep the runs, and do not spin while it is
            self._unsaved = runs[-MAX_UNSAVED:]
            log.error(
                "could not save check results; keeping them to try again",
                waiting=len(self._unsaved),
                dropped=len(runs) - len(self._unsaved),
                error=str(error),
            )
            await asyncio.sleep(RETRY_AFTER)
        for run in fresh:
            for change in run.changes:
                if change.kind == "status":
                    log.info(
                        "check state changed",
                        check=run.check_id,
                        before=change.before,
                        after=change.after,
                        reason=change.reason,
                    )
                else:
                    log.info("check " + change.kind, check=run.check_id, status=change.after, reason=change.reason)

    def _advance(self, finished: Finished) -> RunRecord:
        result = finished.result
        before = self.states.get(result.check_id, CheckState())
        state, change = advance(
            before,
            result.verdict.ok,
            result.verdict.reason,
            result.at,
            down_after=finished.down_after,
            up_after=finished.up_after,
        )
        # Most checks pass steadily, so most hold the same latest results: keep each such tuple once.
        recent = self._recents.setdefault(state.recent, state.recent)
        if recent is not state.recent:
            state = replace(state, recent=recent)
        if len(self._recents) > MAX_SHARED_RECENTS:
            self._recents.clear()
        self.states[result.check_id] = state
        if self.touched is not None:
            self.touched.add(result.check_id)
        if result.timings.total is not None:
            self.latency[result.check_id] = result.timings.total
        flap = flap_change(before, state, result.at)
        return RunRecord(
            result.check_id,
            result.at,
            result.verdict.ok,
            result.verdict.reason,
            result.timings.as_dict(),
            state,
            tuple(event for event in (change, flap) if event is not None),
            result.verdict.warning,
            finished.ping_id,
        )

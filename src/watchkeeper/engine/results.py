"""The result writer: one task that takes finished runs off a queue, advances each check's state machine, and
writes results, states and changes in batches, so that thousands of runs a second cost a few transactions.

It holds the state of the active checks only (in the catalog, not paused, of its share and types), and follows
the catalog: a check removed or paused leaves its memory (and the metrics) within `follow_every`, and one that
comes back takes up its stored state."""

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from watchkeeper.domain.state import CheckState, advance, flap_change
from watchkeeper.logs import get_logger
from watchkeeper.services.check_once import CheckResult
from watchkeeper.store import Database
from watchkeeper.store.check_runs import (
    RunRecord,
    active_check_ids,
    checks_marker,
    load_states,
    save_runs,
    states_of,
)

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
FOLLOW_EVERY = 5.0
"""Seconds between looks at the checks table for removed, paused and returning checks: the scheduler's pace."""


class ResultWriter:
    def __init__(
        self,
        db: Database,
        batch_size: int = 1000,
        flush_every: float = 0.5,
        owns: Callable[[str], bool] = lambda _check_id: True,
        check_types: Collection[str] | None = None,
        follow_every: float = FOLLOW_EVERY,
    ) -> None:
        self.db = db
        self.owns = owns
        self.check_types = check_types
        self.batch_size = batch_size
        self.flush_every = flush_every
        self.follow_every = follow_every
        self.queue: asyncio.Queue[Finished] = asyncio.Queue()
        self.states: dict[str, CheckState] = {}
        self.latency: dict[str, float] = {}
        """The latest run's total milliseconds per check."""
        self.active: frozenset[str] = frozenset()
        """The checks this writer holds as of its latest look at the catalog; only these are exported."""
        self._marker: tuple[object, ...] | None = None
        self._followed = 0.0
        self._strays: set[str] = set()
        """Checks with a run saved after they left the catalog (or before the writer saw them arrive)."""
        self._unsaved: list[RunRecord] = []
        self.touched: set[str] | None = None
        """When a set, the ids of the checks run or taken up since it was last emptied (a probe process's report)."""
        self.gone: set[str] = set()
        """While `touched` is a set, the ids of the checks dropped since it was last emptied."""
        self._recents: dict[tuple[bool, ...], tuple[bool, ...]] = {}

    def track_changes(self) -> None:
        """Start noting which checks changed, for `take_changes`."""
        self.touched, self.gone = set(), set()

    def take_changes(self) -> tuple[set[str], set[str]]:
        """The checks run or taken up, and those dropped, since the last call; both noted afresh from now."""
        touched, gone = self.touched or set(), self.gone
        self.touched, self.gone = set(), set()
        return touched, gone

    async def load(self) -> None:
        def read() -> tuple[tuple[object, ...], set[str], dict[str, CheckState]]:
            with self.db.reading() as connection:
                marker = checks_marker(connection)
                active = active_check_ids(connection, self.owns, self.check_types)
                return marker, active, load_states(connection, self.owns, self.check_types)

        self._marker, active, self.states = await asyncio.to_thread(read)
        self.active, self.latency, self._strays = frozenset(active), {}, set()
        self._followed = time.monotonic()
        if self.touched is not None:
            self.touched |= self.states.keys()

    def forget(self) -> None:
        """Drop every check (this engine no longer runs them); `load` takes them up again."""
        self.states, self.latency, self.active, self._strays = {}, {}, frozenset(), set()
        self._marker = None

    def statuses(self) -> dict[str, str]:
        """Each active check's status. Safe from another thread: dict and frozenset copies are atomic."""
        states, active = self.states.copy(), self.active
        return {check_id: state.status for check_id, state in states.items() if check_id in active}

    def latencies(self) -> dict[str, float]:
        """Each active check's latest total milliseconds; safe from another thread like `statuses`."""
        latency, active = self.latency.copy(), self.active
        return {check_id: value for check_id, value in latency.items() if check_id in active}

    def submit(self, finished: Finished) -> None:
        self.queue.put_nowait(finished)

    async def run(self, stop: asyncio.Event) -> None:
        """Flush until told to stop, then flush what is left, so that no finished run is lost on a clean stop."""
        while not stop.is_set() or not self.queue.empty():
            batch = await self._gather(stop)
            if batch or self._unsaved:
                await self._write(batch)
            if time.monotonic() - self._followed >= self.follow_every:
                await self._follow_catalog()
        if self._unsaved:
            await self._write([])  # a last try for what a database outage held back
        if self._unsaved:
            log.error("check results lost: the database could not take them", count=len(self._unsaved))

    async def _follow_catalog(self) -> None:
        """Drop the checks that left the catalog or were paused; take up the stored state of those that came
        back. Reads only when the checks changed (one small query otherwise)."""
        self._followed = time.monotonic()
        try:
            seen = await asyncio.to_thread(self._read_catalog)
        except Exception as error:  # the database is away: keep the checks known, look again later
            log.error("could not read the checks; keeping the known ones", error=str(error))
            return
        arriving: dict[str, CheckState] = {}
        if seen is not None:
            self._marker, active, arriving = seen
            self.active = frozenset(active)
            for check_id, state in arriving.items():
                self.states.setdefault(check_id, state)
        gone = [check_id for check_id in self._strays if check_id not in self.active]
        if seen is not None:
            gone += [check_id for check_id in self.states if check_id not in self.active]
        for check_id in gone:
            self.states.pop(check_id, None)
            self.latency.pop(check_id, None)
        if self.touched is not None:
            self.touched |= arriving.keys() | (self._strays & self.active)
            self.touched -= set(gone)
            self.gone |= set(gone)
        self._strays.clear()

    def _read_catalog(self) -> tuple[tuple[object, ...], set[str], dict[str, CheckState]] | None:
        with self.db.reading() as connection:
            marker = checks_marker(connection)
            if marker == self._marker:
                return None
            active = active_check_ids(connection, self.owns, self.check_types)
            arriving = [check_id for check_id in active if check_id not in self.states]
            return marker, active, states_of(connection, arriving)

    async def _take_up(self, batch: list[Finished]) -> None:
        """Runs of checks the writer does not hold: one that arrived since its latest look at the catalog, or
        a run that ended after its check was removed or paused. Its stored state is read first, so that the
        run continues it rather than starting a check afresh (and overwriting what was stored)."""
        unknown = {
            f.result.check_id
            for f in batch
            if f.result.check_id not in self.states and f.result.check_id not in self.active
        }
        if not unknown:
            return

        def read() -> dict[str, CheckState]:
            with self.db.reading() as connection:
                return states_of(connection, unknown)

        try:
            self.states.update(await asyncio.to_thread(read))
        except Exception as error:  # the save below will fail too, and keep the runs to try again
            log.error("could not read the state of checks", checks=len(unknown), error=str(error))

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
        await self._take_up(batch)
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
        if result.check_id not in self.active:
            self._strays.add(result.check_id)  # kept until the next look at the catalog says whether it stays
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

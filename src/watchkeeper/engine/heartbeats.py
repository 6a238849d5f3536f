"""The heartbeat watch: turns pings into results, and silence past a check's deadline into a failure, once
per deadline. Pings are read from the database, so they may arrive at any web process.

Everything the watch decides from is in the database, so an engine that starts, restarts or takes over from
another carries on where the last one stopped: a ping is marked seen in the transaction that saves the result
it became (so none is lost or counted twice), when watching each check began is stored (so a restart does not
start its clock again), and a silence is known to be reported when the check has a result after its deadline.
"""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from watchkeeper.checks.heartbeat import HeartbeatCheck, cron_expression
from watchkeeper.domain.heartbeats import HeartbeatRule, expected_by, silence_reason
from watchkeeper.domain.observations import Timings, Verdict
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.logs import get_logger
from watchkeeper.services.check_once import CheckResult
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database
from watchkeeper.store import heartbeats as store
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.engine.heartbeats")

PINGS_PER_PASS = 10_000
"""Pings read in one pass: at a pass every 2 s, 5,000 pings a second, with memory bounded whatever the backlog."""


@dataclass
class _Watched:
    """A heartbeat check as stored, parsed once for as long as its definition stays the same."""

    spec: dict[str, Any]
    check: HeartbeatCheck
    paused: bool


@dataclass
class _Memory:
    """What the database says, read when the watch starts, then kept up to date by the watch itself."""

    last_run: dict[str, datetime]
    """When each check's latest run ended (its latest success or failure ping)."""
    last_result: dict[str, datetime]
    """When each check's latest result was, whether saved yet or not."""
    since: dict[str, datetime]
    """When watching each unpaused check began."""
    pending: set[int] = field(default_factory=set)
    """Pings turned into results that the writer has not saved yet (and so not yet marked seen)."""
    deadlines: dict[str, tuple[Any, datetime]] = field(default_factory=dict)
    """Each check's deadline with what it was worked out from: a cron schedule's next run is not free."""


class HeartbeatWatch:
    def __init__(self, db: Database, clock: Clock, writer: ResultWriter, every: float = 2.0) -> None:
        self.db, self.clock, self.writer, self.every = db, clock, writer, every
        self.memory: _Memory | None = None
        self._parsed: dict[str, _Watched] = {}

    async def run(self, stop: asyncio.Event) -> None:
        self.memory = None  # another engine may have watched since this one last did: read it all again
        while not stop.is_set():
            try:
                for finished in await asyncio.to_thread(self.evaluate):
                    self.writer.submit(finished)
            except Exception as error:  # logged and tried again next pass
                log.error("heartbeat pass failed", error=str(error), error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    def _remember(self) -> _Memory:
        """Start from what the database knows."""
        with self.db.reading() as connection:
            self.memory = _Memory(
                last_run=store.latest_runs(connection),
                last_result=store.latest_results(connection),
                since=store.watch_starts(connection),
            )
        return self.memory

    def evaluate(self) -> list[Finished]:
        """One pass: new pings become results; checks silent past their deadline fail once per deadline."""
        memory = self.memory or self._remember()
        now = self.clock.now()
        checks, zone = self._checks()
        self._track_watching(memory, checks, now)
        finished = self._from_pings(memory, checks)
        for check_id, since in memory.since.items():
            silence = self._silence(memory, checks[check_id].check, zone, since, now)
            if silence is not None:
                finished.append(silence)
        return finished

    def _checks(self) -> tuple[dict[str, _Watched], str]:
        query = select(t.checks.c.id, t.checks.c.spec, t.checks.c.paused).where(t.checks.c.type == "heartbeat")
        with self.db.reading() as connection:
            rows = connection.execute(query).all()
            zone = connection.execute(select(t.organisation.c.timezone)).scalar() or "UTC"
        parsed = {}
        for row in rows:
            known = self._parsed.get(row.id)
            if known is None or known.spec != row.spec:
                try:
                    known = _Watched(row.spec, HeartbeatCheck.model_validate(row.spec), row.paused)
                except ValidationError as error:
                    log.error("stored heartbeat check cannot be read; skipped", check=row.id, error=str(error))
                    continue
            parsed[row.id] = _Watched(known.spec, known.check, row.paused)
        self._parsed = parsed
        return parsed, zone

    def _track_watching(self, memory: _Memory, checks: dict[str, _Watched], now: datetime) -> None:
        """Watching a check begins when it is first seen unpaused, and again when it is resumed; it ends when it
        is paused or removed. Two engines for a moment both doing this agree: the first start recorded stands."""
        active = {check_id for check_id, watched in checks.items() if not watched.paused}
        begun, ended = active - memory.since.keys(), memory.since.keys() - active
        if not begun and not ended:
            return
        with self.db.transaction() as connection:
            store.stop_watching(connection, ended)
            store.start_watching(connection, begun, now)
        with self.db.reading() as connection:
            starts = store.watch_starts(connection)
        # Only the active ones: another engine at the same moment may see a pause a little sooner or later.
        memory.since = {check_id: since for check_id, since in starts.items() if check_id in active}

    def _from_pings(self, memory: _Memory, checks: dict[str, _Watched]) -> list[Finished]:
        with self.db.reading() as connection:
            pings = store.unseen_pings(connection, PINGS_PER_PASS)
        read = {ping.id for ping in pings}
        full = len(pings) == PINGS_PER_PASS
        # A pending ping no longer unseen has been saved; past the end of a full read, nothing can be told.
        memory.pending = {i for i in memory.pending if i in read or (full and i > pings[-1].id)}
        finished, no_result = [], []
        for ping in pings:
            if ping.id in memory.pending:
                continue
            if ping.kind in store.RUN_ENDS:
                memory.last_run[ping.check_id] = max(ping.at, memory.last_run.get(ping.check_id, ping.at))
            watched = checks.get(ping.check_id)
            if ping.kind == "start" or watched is None or watched.paused:
                no_result.append(ping.id)  # nothing to save, so nothing to save it with: seen now
                continue
            memory.pending.add(ping.id)
            memory.last_result[ping.check_id] = max(ping.at, memory.last_result.get(ping.check_id, ping.at))
            finished.append(_from_ping(watched.check, ping))
        if no_result:
            with self.db.transaction() as connection:
                store.mark_seen(connection, no_result)
        return finished

    def _silence(
        self, memory: _Memory, check: HeartbeatCheck, zone: str, since: datetime, now: datetime
    ) -> Finished | None:
        """A failure when the check is silent past its deadline and has no result since that deadline (the
        silence is then already reported, by this engine or by the one before it)."""
        rule = HeartbeatRule(
            grace=check.grace,
            period=check.period,
            cron=cron_expression(check.schedule) if check.schedule else None,
            timezone=check.timezone or zone,
        )
        last_run = memory.last_run.get(check.id)
        deadline = _deadline(memory, check.id, rule, last_run, since)
        if deadline is None:
            return None
        reported = memory.last_result.get(check.id)
        if now <= deadline or (reported is not None and reported >= deadline):
            return None
        memory.last_result[check.id] = now
        return _finished(check, now, False, silence_reason(rule, last_run, now))


def _deadline(
    memory: _Memory, check_id: str, rule: HeartbeatRule, last_run: datetime | None, since: datetime
) -> datetime | None:
    key = (rule, last_run, since)
    known = memory.deadlines.get(check_id)
    if known is not None and known[0] == key:
        return known[1]
    try:
        deadline = expected_by(rule, last_run, since)
    except (RuntimeError, StopIteration) as error:  # a cron expression with no next run within 50 years
        log.error("heartbeat deadline cannot be worked out; skipped", check=check_id, error=str(error))
        return None
    memory.deadlines[check_id] = (key, deadline)
    return deadline


def _from_ping(check: HeartbeatCheck, ping: store.Ping) -> Finished:
    if ping.kind == "success":
        return _finished(check, ping.at, True, "ping received", ping.id)
    code = f" (exit code {ping.exit_code})" if ping.exit_code is not None else ""
    return _finished(check, ping.at, False, f"the job reported a failure{code}", ping.id)


def _finished(check: HeartbeatCheck, at: datetime, ok: bool, reason: str, ping_id: int | None = None) -> Finished:
    result = CheckResult(check.id, "heartbeat", at, Verdict(ok, reason), Timings(), None)
    return Finished(result, check.down_after, check.up_after, ping_id)

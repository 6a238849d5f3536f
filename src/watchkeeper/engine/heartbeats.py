"""The heartbeat watch: turns pings into results, and silence past a check's deadline into a failure, once
per deadline. Pings are read from the database, so they may arrive at any web process."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Row, func, select

from watchkeeper.checks.heartbeat import HeartbeatCheck, cron_expression
from watchkeeper.domain.heartbeats import HeartbeatRule, expected_by, silence_reason
from watchkeeper.domain.observations import Timings, Verdict
from watchkeeper.engine.results import Finished, ResultWriter
from watchkeeper.logs import get_logger
from watchkeeper.services.check_once import CheckResult
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database
from watchkeeper.store import tables as t

log = get_logger("watchkeeper.engine.heartbeats")


@dataclass
class _Memory:
    last_ping_id: int = 0
    last_success: dict[str, datetime] = field(default_factory=dict)
    reported: dict[str, datetime] = field(default_factory=dict)
    """The deadline whose silence has been reported, per check, so each miss is reported once."""


class HeartbeatWatch:
    def __init__(self, db: Database, clock: Clock, writer: ResultWriter, every: float = 2.0) -> None:
        self.db, self.clock, self.writer, self.every = db, clock, writer, every
        self.memory = _Memory()
        self.watched_since = clock.now()

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self._remember)
        while not stop.is_set():
            try:
                for finished in await asyncio.to_thread(self.evaluate):
                    self.writer.submit(finished)
            except Exception as error:  # logged and tried again next pass
                log.error("heartbeat pass failed", error=str(error), error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    def _remember(self) -> None:
        """Start from what the database knows: the latest success of each check, and pings already seen."""
        with self.db.reading() as connection:
            self.memory.last_ping_id = connection.execute(select(func.max(t.heartbeat_pings.c.id))).scalar() or 0
            latest = (
                select(t.heartbeat_pings.c.check_id, func.max(t.heartbeat_pings.c.at))
                .where(t.heartbeat_pings.c.kind == "success")
                .group_by(t.heartbeat_pings.c.check_id)
            )
            self.memory.last_success = {row[0]: row[1] for row in connection.execute(latest)}

    def evaluate(self) -> list[Finished]:
        """One pass: new pings become results; checks silent past their deadline fail once per deadline."""
        checks, zone = self._checks()
        now = self.clock.now()
        finished = [
            self._from_ping(checks[ping.check_id], ping) for ping in self._new_pings() if ping.check_id in checks
        ]
        for check_id, check in checks.items():
            rule = HeartbeatRule(
                grace=check.grace,
                period=check.period,
                cron=cron_expression(check.schedule) if check.schedule else None,
                timezone=check.timezone or zone,
            )
            last = self.memory.last_success.get(check_id)
            deadline = expected_by(rule, last, self.watched_since)
            if now > deadline and self.memory.reported.get(check_id) != deadline:
                self.memory.reported[check_id] = deadline
                finished.append(_finished(check, now, False, silence_reason(rule, last, now)))
        return [f for f in finished if f is not None]

    def _checks(self) -> tuple[dict[str, HeartbeatCheck], str]:
        query = select(t.checks.c.id, t.checks.c.spec).where(
            t.checks.c.type == "heartbeat", t.checks.c.paused.is_(False)
        )
        with self.db.reading() as connection:
            rows = connection.execute(query).all()
            zone = connection.execute(select(t.organisation.c.timezone)).scalar() or "UTC"
        checks = {}
        for row in rows:
            try:
                checks[row.id] = HeartbeatCheck.model_validate(row.spec)
            except ValidationError as error:
                log.error("stored heartbeat check cannot be read; skipped", check=row.id, error=str(error))
        return checks, zone

    def _new_pings(self) -> list[Row[Any]]:
        query = select(t.heartbeat_pings).where(t.heartbeat_pings.c.id > self.memory.last_ping_id)
        with self.db.reading() as connection:
            pings = list(connection.execute(query.order_by(t.heartbeat_pings.c.id)).all())
        if pings:
            self.memory.last_ping_id = pings[-1].id
        return pings

    def _from_ping(self, check: HeartbeatCheck, ping: Row[Any]) -> Finished | None:
        if ping.kind == "start":
            return None
        if ping.kind == "success":
            self.memory.last_success[check.id] = ping.at
            return _finished(check, ping.at, True, "ping received")
        code = f" (exit code {ping.exit_code})" if ping.exit_code is not None else ""
        return _finished(check, ping.at, False, f"the job reported a failure{code}")


def _finished(check: HeartbeatCheck, at: datetime, ok: bool, reason: str) -> Finished:
    result = CheckResult(check.id, "heartbeat", at, Verdict(ok, reason), Timings(), None)
    return Finished(result, check.down_after, check.up_after)

"""The engine's alert duties: check state changes into alerts, due groups into the outbox, and escalation steps
(under the `alerts` lease, once across engines), and delivery of the outbox (in every engine; claims keep them
apart)."""

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import aiohttp

from watchkeeper.channels import ChannelType, channel_types
from watchkeeper.logs import get_logger
from watchkeeper.services import escalation, notices, paging, shift_notices
from watchkeeper.services.check_alerts import BATCH, raise_from_changes
from watchkeeper.services.clock import Clock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.notifying import flush_due
from watchkeeper.services.outbox import Outbox
from watchkeeper.store import Database

log = get_logger("watchkeeper.engine.alerting")

ALERTS_LEASE = "alerts"
"""Held by the engine that turns state changes into alerts and flushes groups; others stand by."""
PASS_EVERY = 0.2
"""Seconds between passes: a state change reaches the outbox within about this, plus the group's wait."""


SHIFTS_EVERY = timedelta(seconds=30)
"""How often shifts are looked at for starts, ends and changes to tell people of."""


class Alerting:
    def __init__(self, db: Database, clock: Clock, outbox: Outbox) -> None:
        self.db, self.clock, self.outbox = db, clock, outbox
        self.shifts_at: datetime | None = None

    def run_pass(self) -> None:
        """Each duty on its own: one that fails (its error is logged) does not keep the others from running."""
        self._duty("raising alerts", self._raise)
        self._duty("flushing groups", lambda: flush_due(self.db, self.clock.now(), self.outbox))
        self._duty("escalating", lambda: escalation.step_due(self.db, self.clock.now(), self.outbox))
        self._duty("paging", lambda: paging.send_due(self.db, self.clock.now(), self.outbox))
        self._duty("maintenance notices", lambda: notices.send_due(self.db, self.clock.now(), self.outbox))
        now = self.clock.now()
        if self.shifts_at is None or now - self.shifts_at >= SHIFTS_EVERY:
            self._duty("shift notices", lambda: shift_notices.send_due(self.db, now, self.outbox))
            self.shifts_at = now

    def _raise(self) -> None:
        while raise_from_changes(self.db) == BATCH:
            continue  # a storm: read on until caught up before flushing, so groups fill first

    @staticmethod
    def _duty(name: str, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as error:  # retried next pass; whatever it had not committed is done again then
            log.error("alerting duty failed", duty=name, error=str(error), error_type=type(error).__name__)

    async def run(self, end: asyncio.Event) -> None:
        while not end.is_set():
            try:
                await asyncio.to_thread(self.run_pass)
            except Exception as error:  # a failed pass is logged and tried again; the cursor has not moved
                log.error("alerting pass failed", error=str(error), error_type=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(end.wait(), timeout=PASS_EVERY)


class Delivery:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: DeliveryPolicy,
        types: Mapping[str, ChannelType] | None = None,
    ) -> None:
        self.db, self.clock, self.policy = db, clock, policy
        self.types = types
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    async def run(self, stop: asyncio.Event) -> None:
        connector = aiohttp.TCPConnector(limit=self.policy.concurrency, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            deliverer = Deliverer(
                self.db,
                self.clock,
                self.worker,
                http,
                self.policy,
                self.types if self.types is not None else channel_types(),
            )
            while not stop.is_set():
                tried = 0
                try:
                    tried = await deliverer.run_pass()
                except Exception as error:  # the claims expire and the notifications are sent again
                    log.error("delivery pass failed", error=str(error), error_type=type(error).__name__)
                if tried < self.policy.batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=PASS_EVERY)

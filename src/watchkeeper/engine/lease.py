"""Holding a lease while doing work that one engine at a time must do. The holder renews it every
RENEW_EVERY; a standby tries to take it as often, and gets it when the holder gives it up on a clean stop or
stops renewing (it died, or lost the database) for TTL. A holder that cannot renew stops its work before
its lease runs out, so two engines overlap by at most one renewal, and only when clocks disagree."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from watchkeeper.logs import get_logger
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database, leases

log = get_logger("watchkeeper.engine.lease")

TTL = timedelta(seconds=30)
RENEW_EVERY = 10.0


class Lease:
    def __init__(
        self, db: Database, clock: Clock, name: str, holder: str, ttl: timedelta = TTL, every: float = RENEW_EVERY
    ) -> None:
        self.db, self.clock, self.name, self.holder = db, clock, name, holder
        self.ttl, self.every = ttl, every
        self.held = False
        self._until: datetime | None = None

    async def hold(self, stop: asyncio.Event, work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        """Run `work` whenever this process holds the lease, until `stop`; `work` gets an event that is set
        when it must end (a stop, or the lease lost)."""
        waiting_logged = False
        while not stop.is_set():
            if await self._take():
                waiting_logged = False
                log.info("holding the lease; running", lease=self.name, holder=self.holder)
                await self._work_while_held(stop, work)
                if stop.is_set():
                    await asyncio.to_thread(self._give_up)
                    return
                log.error("lost the lease; standing by", lease=self.name, holder=self.holder)
            elif not waiting_logged:
                log.info("standing by: another engine holds the lease", lease=self.name, holder=self._current())
                waiting_logged = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.every)

    async def _work_while_held(self, stop: asyncio.Event, work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
        end = asyncio.Event()
        self.held = True

        async def renew() -> None:
            while not end.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.every)
                if stop.is_set() or not await self._take():
                    end.set()

        try:
            await asyncio.gather(renew(), work(end))
        finally:
            self.held = False

    async def _take(self) -> bool:
        """Take or renew; a database error counts as a failure only once the lease would have run out."""
        now = self.clock.now()
        try:
            taken = await asyncio.to_thread(self._take_now, now)
        except Exception as error:  # the database is away: keep working while the lease is surely ours
            log.error("could not renew the lease", lease=self.name, error=str(error))
            return self._until is not None and now + timedelta(seconds=self.every) < self._until
        self._until = now + self.ttl if taken else None
        return taken

    def _take_now(self, now: datetime) -> bool:
        with self.db.transaction() as connection:
            return leases.take(connection, self.name, self.holder, now, self.ttl)

    def _give_up(self) -> None:
        with self.db.transaction() as connection:
            leases.give_up(connection, self.name, self.holder, self.clock.now())

    def _current(self) -> str | None:
        with self.db.reading() as connection:
            return leases.holder_of(connection, self.name, self.clock.now())

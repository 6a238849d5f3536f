"""Delivering the outbox: claim due notifications, render and send each through its channel, record every
attempt, retry transient failures with backoff until the notification's time runs out (ADR 0021)."""

import asyncio
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, RowMapping, select
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.catalog.secrets import SecretMissing, resolve
from watchkeeper.catalog.teams import Channel, EmailChannel, InboxChannel, NotifyChannel
from watchkeeper.channels import ChannelType, Message, Outcome, SendContext, channel_types
from watchkeeper.domain.alerts import shorten
from watchkeeper.logs import get_logger
from watchkeeper.services import messages
from watchkeeper.services.clock import Clock
from watchkeeper.services.page_links import PageLinks
from watchkeeper.store import Database, escalations, outbox
from watchkeeper.store import tables as t
from watchkeeper.store.outbox import Attempt

log = get_logger("watchkeeper.delivery")
_CHANNEL = TypeAdapter(Channel)
DETAIL_LIMIT = 300
PERSON_PREFIX = "person:"


@dataclass(frozen=True)
class DeliveryPolicy:
    batch: int = 200
    concurrency: int = 100
    hold: timedelta = timedelta(seconds=120)
    """How long a claim lasts; longer than a send can take, so a live worker never loses its claim."""
    timeout: float = 10.0
    first_retry: timedelta = timedelta(seconds=10)
    longest_retry: timedelta = timedelta(minutes=10)
    smtp_url: str | None = None
    email_from: str = "watchkeeper@localhost"
    sms_template_id: str | None = None
    """GOV.UK Notify's text message template for paging people (WATCHKEEPER_NOTIFY_SMS_TEMPLATE_ID); its key is
    read from WATCHKEEPER_NOTIFY_API_KEY when a text is sent."""
    page_links: PageLinks | None = None
    """Signs the one-click link of a page as it is sent; without it pages carry none."""


@dataclass
class Deliverer:
    """One delivery worker. Any number may run, in any number of engines: claims keep them apart."""

    db: Database
    clock: Clock
    worker: str
    http: Any
    """An aiohttp ClientSession."""
    policy: DeliveryPolicy = DeliveryPolicy()
    types: Mapping[str, ChannelType] = field(default_factory=channel_types)

    async def run_pass(self) -> int:
        """Sends what is due; returns how many notifications it tried."""
        now = self.clock.now()
        rows = await asyncio.to_thread(self._claim, now)
        if not rows:
            return 0
        configs = await asyncio.to_thread(self._configs, {row["channel_id"] for row in rows})
        limit = asyncio.Semaphore(self.policy.concurrency)

        async def bounded(row: RowMapping) -> Attempt:
            async with limit:
                return await self._attempt(row, configs.get(row["channel_id"]))

        attempts = await asyncio.gather(*(bounded(row) for row in rows))
        await asyncio.to_thread(self._record, attempts)
        return len(rows)

    def _claim(self, now: datetime) -> list[RowMapping]:
        with self.db.transaction() as connection:
            return outbox.claim(connection, self.worker, now, self.policy.hold, self.policy.batch)

    def _record(self, attempts: list[Attempt]) -> None:
        with self.db.transaction() as connection:
            outbox.record(connection, self.worker, attempts)
        for a in attempts:
            if a.outcome != "sent":
                log.warning(
                    "notification not delivered",
                    notification=a.notification_id,
                    attempt=a.attempt,
                    outcome=a.outcome,
                    detail=a.detail,
                )

    def _configs(self, channel_ids: set[str]) -> dict[str, Any]:
        """Each channel's configuration as the catalog holds it now (it may have changed since the notification
        was written; a channel removed since then has none); a person's way is made from their entry."""
        ways = {cid for cid in channel_ids if cid.startswith(PERSON_PREFIX)}
        with self.db.reading() as connection:
            found: dict[str, Any] = {cid: self._way(connection, cid) for cid in ways}
            channel_ids = channel_ids - ways
            rows = connection.execute(
                select(t.channels.c.id, t.channels.c.spec).where(t.channels.c.id.in_(channel_ids))
            )
            for row in rows:
                try:
                    found[row.id] = _CHANNEL.validate_python(row.spec)
                except ValidationError:
                    continue  # reported as "not usable" below
            return found

    def _way(self, connection: Connection, channel_id: str) -> Any:
        """`person:ID/WAY` as a channel of one recipient, or why the person cannot be reached that way."""
        person_id, _, way = channel_id.removeprefix(PERSON_PREFIX).partition("/")
        person = escalations.person(connection, person_id)
        if person is None:
            return Unreachable(f"{person_id} is no longer in the catalog")
        if way == "inbox":
            return InboxChannel.model_construct(id=channel_id, type="inbox")
        if way == "email":
            return EmailChannel.model_construct(id=channel_id, type="email", to=[person.email])
        if person.phone is None:
            return Unreachable(f"{person_id} has no phone number")
        if self.policy.sms_template_id is None:
            return Unreachable("no text message service: set WATCHKEEPER_NOTIFY_SMS_TEMPLATE_ID and _API_KEY")
        return NotifyChannel.model_construct(
            id=channel_id,
            type="notify",
            api_key="${WATCHKEEPER_NOTIFY_API_KEY}",
            email_template_id=None,
            sms_template_id=self.policy.sms_template_id,
            to=[person.phone],
            base_url=None,
        )

    async def _attempt(self, row: RowMapping, config: Any) -> Attempt:
        started = time.perf_counter()
        outcome = await self._send(row, config)
        latency = (time.perf_counter() - started) * 1000
        now = self.clock.now()
        attempt = row["attempts"] + 1
        detail = shorten(outcome.detail, DETAIL_LIMIT)
        next_due = None
        if outcome.kind == "retry":
            next_due = now + self._backoff(attempt, outcome.retry_after)
            if next_due > row["give_up_at"]:
                spent = now - row["created_at"]
                detail = shorten(f"gave up after {attempt} attempts in {_spent(spent)}: {outcome.detail}", DETAIL_LIMIT)
                return Attempt(row["id"], attempt, now, "failed", outcome.status_code, latency, detail, None)
        return Attempt(row["id"], attempt, now, outcome.kind, outcome.status_code, latency, detail, next_due)

    async def _send(self, row: RowMapping, config: Any) -> Outcome:
        kind = self.types.get(row["channel_type"])
        if kind is None:
            return Outcome("failed", f"no channel type {row['channel_type']!r} is installed")
        if config is None:
            return Outcome("failed", f"channel {row['channel_id']} is no longer in the catalog")
        if isinstance(config, Unreachable):
            return Outcome("failed", config.why)
        message = messages.from_json(row["message"])
        links = self.policy.page_links
        if message.page_link is not None and links is not None and row["channel_type"] != "inbox":
            message = replace(message, page_url=links.url(message.page_link))
        try:
            request = kind.render(message, config)
            return await asyncio.wait_for(
                kind.send(request, config, self._context(row["channel_id"])), timeout=self.policy.timeout + 5
            )
        except SecretMissing as error:
            return Outcome("failed", str(error))
        except TimeoutError:
            return Outcome("retry", f"no answer within {self.policy.timeout + 5:.0f} s")
        except Exception as error:  # a channel's bug must not stop the others; its type is enough to find it
            log.error("channel failed unexpectedly", channel=row["channel_id"], error_type=type(error).__name__)
            return Outcome("retry", f"the {row['channel_type']} channel failed unexpectedly ({type(error).__name__})")

    def _context(self, channel_id: str) -> SendContext:
        return SendContext(
            secret=resolve,
            http=self.http,
            memory=ChannelMemory(self.db, channel_id),
            timeout=self.policy.timeout,
            smtp_url=self.policy.smtp_url,
            email_from=self.policy.email_from,
            keep_in_inbox=lambda message, subject, body: keep_in_inbox(self.db, self.clock, message, subject, body),
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> timedelta:
        """Doubling from the first retry up to the longest, with a fifth either way of jitter so that many
        notifications failing together do not retry together; never sooner than the receiver asked."""
        base = min(self.policy.first_retry * 2 ** (attempt - 1), self.policy.longest_retry)
        wait: timedelta = base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
        asked = timedelta(seconds=retry_after or 0)
        return max(wait, asked)


@dataclass(frozen=True)
class Unreachable:
    """A person's way that cannot work (no phone number, no text message service): a permanent failure."""

    why: str


def _spent(spent: timedelta) -> str:
    hours, rest = divmod(int(spent.total_seconds()), 3600)
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"


@dataclass
class ChannelMemory:
    """What one channel remembers between messages (a Zendesk ticket by alert), in the database."""

    db: Database
    channel_id: str

    def get(self, key: str) -> str | None:
        m = t.channel_memory
        with self.db.reading() as connection:
            query = select(m.c.value).where(m.c.channel_id == self.channel_id, m.c.key == key)
            value: str | None = connection.execute(query).scalar()
            return value

    def put(self, key: str, value: str) -> None:
        m = t.channel_memory
        dialect = postgresql if self.db.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(m).values(channel_id=self.channel_id, key=key, value=value)
        with self.db.transaction() as connection:
            connection.execute(
                statement.on_conflict_do_update(index_elements=[m.c.channel_id, m.c.key], set_={"value": value})
            )


def keep_in_inbox(db: Database, clock: Clock, message: Message, subject: str, body: str) -> None:
    """The inbox channel's message, once per notification however often it is sent."""
    i = t.inbox_messages
    values = {
        "channel_id": message.channel_id,
        "team_id": message.team_id,
        "notification_key": message.idempotency_key,
        "at": clock.now(),
        "subject": subject,
        "body": body,
        "page_link_id": message.page_link,
    }
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    with db.transaction() as connection:
        connection.execute(dialect.insert(i).values(**values).on_conflict_do_nothing())

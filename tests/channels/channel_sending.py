"""What the channel tests send and how: an alert and a message with every field filled, the secrets they
name, a memory, and `send` called as the engine calls it."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp

from watchkeeper.catalog.secrets import resolve
from watchkeeper.channels import Message, MessageAlert, Outcome, SendContext, channel_type
from watchkeeper.domain.alerts import Link

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SECRETS = {
    "HOOK_TOKEN": "T000-hook-token-5e1f",
    "SIGNING_SECRET": "signing-secret-77a2",
    "ROUTING_KEY": "R0UT1NGKEY0123456789abcdef012345",
    "ZENDESK_TOKEN": "zd-api-token-c3d9",
    "NOTIFY_KEY": "watchkeeper_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
    "APPRISE_TOKEN": "apprise-token-90b1",
    "HEADER_TOKEN": "header-token-41c8",
}


class DictMemory:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def put(self, key: str, value: str) -> None:
        self.values[key] = value


def alert(number: int = 1, **fields: Any) -> MessageAlert:
    values: dict[str, Any] = {
        "id": number,
        "dedup_key": f"check:pay-api-health-{number}",
        "status": "triggered",
        "severity": "page",
        "summary": f"HTTP 503 from /health (attempt {number})",
        "subject": "Payments API (pay-api)",
        "started_at": T0,
        "details": {"reason": "HTTP 503", "response_ms": 42},
        "links": (Link("https://runbooks.example/pay-api", "Runbook"),),
        "labels": {"env": "production"},
        "url": f"https://watchkeeper.example/alerts/{number}",
    } | fields
    return MessageAlert(**values)


def message(*alerts: MessageAlert, **fields: Any) -> Message:
    values: dict[str, Any] = {
        "idempotency_key": "5f0c2a9e7b41d3c8",
        "team_id": "pay",
        "channel_id": "pay-channel",
        "action": "trigger",
        "severity": "page",
        "title": "Payments API is failing",
        "alerts": alerts or (alert(),),
        "created_at": T0,
    } | fields
    return Message(**values)


def deliver(kind: str, note: Any, config: Any, memory: DictMemory | None = None, **context: Any) -> Outcome:
    """`send` as the engine calls it: secrets from SECRETS, a fresh aiohttp session, a short timeout."""

    async def run() -> Outcome:
        async with aiohttp.ClientSession() as session:
            values: dict[str, Any] = {
                "secret": lambda text: resolve(text, SECRETS),
                "http": session,
                "memory": memory or DictMemory(),
                "timeout": 2.0,
            } | context
            return await channel_type(kind).send(note, config, SendContext(**values))

    return asyncio.run(run())


def render_and_deliver(kind: str, config: Any, sent: Message | None = None, **context: Any) -> Outcome:
    chosen = channel_type(kind)
    return deliver(kind, chosen.render(sent or message(), config), config, **context)

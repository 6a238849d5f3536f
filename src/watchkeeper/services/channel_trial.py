"""Sending a test message to one channel, as `watchkeeper channels test` does: the same render and send as a
real notification, with a message that says it is a test, so a team can check a channel before it matters."""

import secrets
from datetime import datetime
from typing import Any

import aiohttp

from watchkeeper.catalog.secrets import resolve
from watchkeeper.channels import Message, MessageAlert, Outcome, SendContext, channel_type
from watchkeeper.domain.alerts import Severity


class NothingRemembered:
    """A test keeps nothing between sends: a Zendesk test opens a ticket, and that is all."""

    def get(self, key: str) -> str | None:
        return None

    def put(self, key: str, value: str) -> None:
        return None


def trial_message(team_id: str, channel_id: str, severity: Severity, now: datetime) -> Message:
    alert = MessageAlert(
        id=0,
        dedup_key=f"watchkeeper:test:{channel_id}",
        status="triggered",
        severity=severity,
        summary=f"Test message to channel {channel_id}: if you can read this, the channel works",
        subject=f"Channel {channel_id} of team {team_id}",
        started_at=now,
        details={"sent_by": "watchkeeper channels test"},
    )
    return Message(
        idempotency_key=f"test-{secrets.token_hex(8)}",  # a fresh key: a test is never taken for a repeat
        team_id=team_id,
        channel_id=channel_id,
        action="trigger",
        severity=severity,
        title=f"Test of channel {channel_id}",
        alerts=(alert,),
        created_at=now,
    )


async def send_trial(
    config: Any,
    message: Message,
    *,
    smtp_url: str | None,
    email_from: str,
    timeout: float = 10.0,
) -> tuple[Any, Outcome]:
    """The rendered request (secrets unresolved) and how sending it went."""
    kind = channel_type(config.type)
    rendered = kind.render(message, config)
    async with aiohttp.ClientSession() as session:
        context = SendContext(
            secret=resolve,
            http=session,
            memory=NothingRemembered(),
            timeout=timeout,
            smtp_url=smtp_url,
            email_from=email_from,
            keep_in_inbox=None,
        )
        return rendered, await kind.send(rendered, config, context)

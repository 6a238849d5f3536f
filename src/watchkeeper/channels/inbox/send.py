"""Keeping the message through the engine's `keep_in_inbox` (a row in `inbox_messages`, one per notification
however often it is sent). It writes to the database, so it runs in a worker thread, like all store work."""

import asyncio

from watchkeeper.catalog.teams import InboxChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.inbox.render import InboxNote


async def send(note: InboxNote, config: InboxChannel, context: SendContext) -> Outcome:
    keep = context.keep_in_inbox
    if keep is None:
        return Outcome("failed", "this process has no inbox to keep messages in")
    try:
        await asyncio.to_thread(keep, note.message, note.subject, note.body)
    except Exception as error:  # the database, most likely; it comes back, so try again
        return Outcome("retry", f"could not keep the message ({type(error).__name__})")
    return Outcome("sent", "kept in the inbox")

"""Posting to a Teams Workflows webhook. Workflows answers 202 Accepted with an empty body when it has queued
the flow run; 400 for a card it cannot read, 401/403/404 for a URL that no longer works, 429 when throttled."""

from watchkeeper.catalog.teams import TeamsChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import exchange, judged
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import Secrets


async def send(request: HttpRequest, config: TeamsChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    answer = await exchange(request, context, secrets)
    if isinstance(answer, Outcome):
        return answer
    return judged(answer, secrets)

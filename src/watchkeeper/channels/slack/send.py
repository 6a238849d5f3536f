"""Posting to a Slack incoming webhook. Slack answers `ok` with 200; errors are a short token in plain text
(`invalid_payload`, `no_service`, `channel_is_archived`, ...), and 429 with Retry-After when rate limited."""

from watchkeeper.catalog.teams import SlackChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import exchange, judged
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import Secrets


async def send(request: HttpRequest, config: SlackChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    answer = await exchange(request, context, secrets)
    if isinstance(answer, Outcome):
        return answer
    return judged(answer, secrets)

"""Posting the JSON body, signed when the channel has a `secret`. Any 2xx is success; 408, 429 and 5xx are
retried; other answers are permanent."""

import time

from watchkeeper.catalog.teams import WebhookChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import encode, exchange, judged
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing
from watchkeeper.channels.webhook.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


async def send(request: HttpRequest, config: WebhookChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    data = encode(request.body)
    timestamp = int(time.time())
    headers = {TIMESTAMP_HEADER: str(timestamp)}
    if config.secret is not None:
        try:
            headers[SIGNATURE_HEADER] = sign(secrets(config.secret), timestamp, data)
        except SecretMissing as error:
            return missing(error)
    answer = await exchange(request, context, secrets, data=data, headers=headers)
    if isinstance(answer, Outcome):
        return answer
    return judged(answer, secrets)

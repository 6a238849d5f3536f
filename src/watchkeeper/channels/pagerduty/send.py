"""Sending each event to the Events API. PagerDuty answers 202 `{"status": "success", "message": "Event
processed", "dedup_key": ...}`; 400 `{"status": "invalid event", "message": ..., "errors": [...]}` for an event
it will never take (a wrong routing key among them); 429 when over its rate; 5xx when it cannot take it now.
Events go one after another and the first that does not succeed decides the outcome: a retry sends them all
again, which PagerDuty's dedup_key makes harmless."""

from typing import Any

from watchkeeper.catalog.teams import PagerDutyChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import Answer, encode, exchange, gist, judged
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing


async def send(requests: tuple[HttpRequest, ...], config: PagerDutyChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    for request in requests:
        try:
            body = request.body | {"routing_key": secrets(request.body["routing_key"])}
        except SecretMissing as error:
            return missing(error)
        answer = await exchange(request, context, secrets, data=encode(body))
        if isinstance(answer, Outcome):
            return answer
        outcome = judged(answer, secrets, _what(answer))
        if outcome.kind != "sent":
            return outcome
    count = len(requests)
    return Outcome("sent", f"{count} event{'s' if count != 1 else ''} accepted", 202 if count else None)


def _what(answer: Answer) -> str:
    found: Any = answer.json()
    if not isinstance(found, dict) or not isinstance(found.get("message"), str):
        return gist(answer)
    errors = found.get("errors")
    first = f": {errors[0]}" if isinstance(errors, list) and errors and isinstance(errors[0], str) else ""
    return f"HTTP {answer.status} {found['message']}{first}"[:300]

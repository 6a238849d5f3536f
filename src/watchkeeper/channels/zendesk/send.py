"""Opening, commenting on and solving tickets through the Zendesk Ticketing API, with API-token
authentication (`{email}/token:{api_token}`). A new ticket's id is remembered by alert in the channel's memory.
Zendesk answers 201 with `{"ticket": {"id": ...}}` for a new ticket and 200 for an update; 401 or 403 for bad
credentials, 404 for a ticket deleted since, 422 for a change it refuses (a closed ticket), 429 with
Retry-After when over its rate limit."""

import base64
from typing import Any

from watchkeeper.catalog.teams import ZendeskChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import Answer, exchange, gist, judged
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing
from watchkeeper.channels.zendesk.render import TicketChange, ZendeskWork, memory_key


async def send(work: ZendeskWork, config: ZendeskChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    try:
        credentials = f"{secrets(config.email)}/token:{secrets(config.api_token)}"
    except SecretMissing as error:
        return missing(error)
    authorization = {"Authorization": "Basic " + secrets.hide(base64.b64encode(credentials.encode()).decode())}
    done: list[str] = []
    for change in work.changes:
        outcome = await _apply(change, work.base_url, authorization, context, secrets)
        if outcome.kind != "sent":
            return outcome
        done.append(outcome.detail)
    if not done:
        return Outcome("sent", "nothing for Zendesk: no ticket-severity alert in this message")
    return Outcome("sent", "; ".join(done)[:300], 200)


async def _apply(
    change: TicketChange, base: str, headers: dict[str, str], context: SendContext, secrets: Secrets
) -> Outcome:
    ticket = context.memory.get(memory_key(change.alert_id))
    if ticket is None and change.status == "resolved":
        return Outcome("sent", f"alert {change.alert_id} resolved before a ticket was opened")
    if ticket is None:
        request = HttpRequest("POST", f"{base}/api/v2/tickets", change.new_ticket)
        once = headers | {"Idempotency-Key": change.idempotency_key}
        answer = await exchange(request, context, secrets, headers=once)
        if isinstance(answer, Outcome):
            return answer
        made = _ticket_id(answer)
        if answer.status not in (200, 201) or made is None:
            return _refused(answer, secrets)
        context.memory.put(memory_key(change.alert_id), str(made))
        return Outcome("sent", f"ticket {made} opened", answer.status)
    request = HttpRequest("PUT", f"{base}/api/v2/tickets/{ticket}", change.update)
    answer = await exchange(request, context, secrets, headers=headers)
    if isinstance(answer, Outcome):
        return answer
    if answer.status == 200:
        return Outcome("sent", f"ticket {ticket} {'solved' if change.status == 'resolved' else 'updated'}", 200)
    return _refused(answer, secrets, ticket)


def _ticket_id(answer: Answer) -> int | None:
    found: Any = answer.json()
    ticket = found.get("ticket") if isinstance(found, dict) else None
    identifier = ticket.get("id") if isinstance(ticket, dict) else None
    return identifier if isinstance(identifier, int) else None


def _refused(answer: Answer, secrets: Secrets, ticket: str | None = None) -> Outcome:
    """Zendesk's errors are `{"error": ..., "description": ...}`; the two together say what went wrong."""
    found: Any = answer.json()
    what = gist(answer)
    if isinstance(found, dict) and isinstance(found.get("error"), str):
        description = found.get("description")
        what = f"HTTP {answer.status} {found['error']}" + (f": {description}" if isinstance(description, str) else "")
    if ticket is not None and answer.status == 404:
        what = f"ticket {ticket} no longer exists ({what})"
    if 200 <= answer.status < 300:  # a success that did not say which ticket: nothing to remember, try again
        return Outcome("retry", f"Zendesk did not say which ticket it made ({what})", answer.status)
    return judged(answer, secrets, what[:300])

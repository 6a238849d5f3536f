"""Sending through the Notify REST API (POST /v2/notifications/email and /sms), one request per recipient.
Notify answers 201 with the notification; errors are `{"status_code": ..., "errors": [{"error": ...,
"message": ...}]}`: 400 for a request it will never take (a team-only key sending outside the team), 403 for
a bad key, 429 over its rate limit, 5xx when it cannot take it now. The first recipient that fails decides the
outcome; a retry sends to every recipient again (at least once)."""

import time
from typing import Any

from watchkeeper.catalog.teams import NotifyChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.http import Answer, exchange, gist, judged
from watchkeeper.channels.notify.render import NotifyWork
from watchkeeper.channels.notify.token import BadApiKey, split_key, token
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing


async def send(work: NotifyWork, config: NotifyChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    if not work.sends:
        return Outcome("failed", "the Notify channel has no recipients (to)")
    try:
        api_key = secrets(work.api_key)
        secrets.hide(split_key(api_key)[1])  # the half that signs, should a receiver ever quote it alone
    except SecretMissing as error:
        return missing(error)
    except BadApiKey as error:
        return Outcome("failed", str(error))
    counts = {"email": 0, "sms": 0}
    for item in work.sends:
        authorization = {"Authorization": f"Bearer {secrets.hide(token(api_key, time.time()))}"}
        request = HttpRequest("POST", work.base_url + item.path, item.body)
        answer = await exchange(request, context, secrets, headers=authorization)
        if isinstance(answer, Outcome):
            return answer
        outcome = judged(answer, secrets, _what(answer))
        if outcome.kind != "sent":
            return outcome
        counts[item.kind] += 1
    sent = [_count(counts["email"], "email"), _count(counts["sms"], "text message")]
    return Outcome("sent", f"Notify accepted {' and '.join(part for part in sent if part)}", 201)


def _count(count: int, what: str) -> str:
    return "" if not count else f"{count} {what}{'s' if count != 1 else ''}"


def _what(answer: Answer) -> str:
    found: Any = answer.json()
    errors = found.get("errors") if isinstance(found, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if first is None:
        return gist(answer)
    return f"HTTP {answer.status} {first.get('error', '')}: {first.get('message', '')}"[:300]

"""Sending through the apprise library, in a worker thread (it is synchronous, on requests). Apprise says
only whether a send worked, timed out or failed; where its own log of the attempt gives the receiver's HTTP
status (`error=NNN`), a 4xx other than 408 and 429 is taken as permanent, and any other failure is retried
until the delivery retry window ends. A URL Apprise cannot read fails at once."""

import asyncio
import logging
import re

import apprise

from watchkeeper.catalog.teams import AppriseChannel
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.apprise.render import AppriseNote
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing

# Apprise logs the URLs it posts to (tokens and all) at DEBUG and INFO: those records are never made, whatever
# the log level, and the warnings it does make (which its result reads for the HTTP status) stay out of
# Watchkeeper's logs too. What a person needs comes back in the Outcome.
_LOGGER = logging.getLogger("apprise")
_LOGGER.setLevel(logging.WARNING)
_LOGGER.propagate = False
_LOGGER.addHandler(logging.NullHandler())
# requests and urllib3, which Apprise posts with, write each request line (path and query, where the tokens
# of most services are) at DEBUG. Nothing else in Watchkeeper uses them.
for _name in ("urllib3", "requests"):
    logging.getLogger(_name).setLevel(logging.WARNING)
_STATUS = re.compile(r"error=(\d{3})\b")


async def send(note: AppriseNote, config: AppriseChannel, context: SendContext) -> Outcome:
    secrets = Secrets(context)
    try:
        url = secrets(note.url)
    except SecretMissing as error:
        return missing(error)
    outcome = await asyncio.to_thread(_notify, url, note, context.timeout)
    return Outcome(outcome.kind, secrets.scrub(outcome.detail), outcome.status_code, outcome.retry_after)


def _notify(url: str, note: AppriseNote, timeout: float) -> Outcome:
    sender = apprise.Apprise()
    if not sender.add(url):
        return Outcome("failed", "Apprise does not recognise the channel's URL (see the Apprise URL formats)")
    result = sender.notify(
        body=note.body, title=note.title, notify_type=note.notify_type, body_format="text", timeout=timeout
    )
    services = ", ".join(sorted({service.name for service in result.results})) or "Apprise"
    if result.status == apprise.AppriseResultStatus.SUCCESS:
        return Outcome("sent", f"{services} accepted it")
    if result.status == apprise.AppriseResultStatus.TIMEOUT:
        return Outcome("retry", f"{services} did not answer within {timeout:g} s")
    status = _status(result)
    if status is not None and 400 <= status < 500 and status not in (408, 429):
        return Outcome("failed", f"{services} refused it (HTTP {status})", status)
    return Outcome("retry", f"{services} failed" + (f" (HTTP {status})" if status else ""), status)


def _status(result: apprise.AppriseResult) -> int | None:
    """The receiver's HTTP status, when Apprise's log of the attempt gives it."""
    for service in result.results:
        for attempt in service.attempts:
            for entry in attempt.logs:
                found = _STATUS.search(entry.message)
                if found:
                    return int(found.group(1))
    return None

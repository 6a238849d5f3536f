"""Making a rendered HttpRequest: secrets resolved at the last moment, one bounded attempt, and every way it can
go wrong turned into an Outcome whose detail names no URL (a webhook URL is often itself the secret)."""

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from watchkeeper import __version__
from watchkeeper.channels import Outcome, SendContext
from watchkeeper.channels.outcomes import from_status, retry_after
from watchkeeper.channels.outgoing import HttpRequest
from watchkeeper.channels.secrets import SecretMissing, Secrets, missing

USER_AGENT = f"Watchkeeper/{__version__} (notifications)"
ANSWER_LIMIT = 64 * 1024
"""Bytes of a receiver's answer read; enough for any error a person needs, never a flood."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    text: str
    retry_after: float | None = None

    def json(self) -> Any:
        """The answer as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def encode(body: Any) -> bytes:
    """The body as JSON every receiver can read: NaN and the infinities, which Python would write as the
    non-JSON `NaN` and `Infinity` (and a strict receiver such as PagerDuty refuses for good), go as null. Inbound
    payloads never hold them and checks never make them; this is so that nothing can, and a page still goes."""
    return json.dumps(_finite(body), separators=(",", ":"), ensure_ascii=False, default=str, allow_nan=False).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


async def exchange(
    request: HttpRequest,
    context: SendContext,
    secrets: Secrets,
    *,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer | Outcome:
    """The receiver's answer, or the Outcome of a request that got none. `data` replaces the encoded body when
    the caller needed the exact bytes (to sign them); `headers` are added after the request's own."""
    try:
        url = secrets(request.url)
        sent = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        sent.update((name, secrets(value)) for name, value in request.headers)
    except SecretMissing as error:
        return missing(error)
    sent.update(headers or {})
    try:
        async with context.http.request(
            request.method,
            url,
            data=encode(request.body) if data is None else data,
            headers=sent,
            timeout=aiohttp.ClientTimeout(total=context.timeout),
            allow_redirects=False,
        ) as response:
            # Scrubbed before anything cuts it short: half a secret would no longer be found
            text = secrets.scrub((await response.content.read(ANSWER_LIMIT)).decode("utf-8", "replace"))
            return Answer(response.status, text, retry_after(response.headers.get("Retry-After")))
    except Exception as error:  # each kind is sorted below, and none escapes with a URL in its text
        return transport_failure(error, context.timeout)


def transport_failure(error: Exception, timeout: float) -> Outcome:
    """Why no answer came, without the exception's own text (which may quote the URL)."""
    if isinstance(error, TimeoutError):
        return Outcome("retry", f"no answer within {timeout:g} s")
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return Outcome("retry", "the receiver's TLS certificate is not trusted")
    if isinstance(error, aiohttp.ClientSSLError):
        return Outcome("retry", "the TLS handshake with the receiver failed")
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return Outcome("retry", "the receiver's host name could not be resolved")
    if isinstance(error, aiohttp.InvalidURL | ValueError):
        return Outcome("failed", "the URL is not a valid http:// or https:// URL")
    if isinstance(error, aiohttp.ClientConnectorError):
        # strerror may quote the address; the errno's standard wording does not
        number = error.os_error.errno
        reason = os.strerror(number).lower() if number else "refused"
        return Outcome("retry", f"could not connect to the receiver ({reason})")
    if isinstance(error, aiohttp.ClientError | OSError):
        return Outcome("retry", f"the connection failed ({type(error).__name__})")
    raise error


def gist(answer: Answer, limit: int = 120) -> str:
    """A receiver's answer in a few words for the delivery log: its status and the start of its text."""
    text = " ".join(answer.text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"HTTP {answer.status}" + (f" {text}" if text else "")


def judged(answer: Answer, secrets: Secrets, what: str | None = None) -> Outcome:
    """The Outcome of an answer, its detail (by default the gist of the answer) scrubbed of every secret."""
    return from_status(answer.status, secrets.scrub(what or gist(answer)), answer.retry_after)

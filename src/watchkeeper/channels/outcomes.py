"""How an HTTP answer becomes an Outcome: 2xx sent; 408, 429 and 5xx worth retrying (with the receiver's
Retry-After); any other 4xx, or a redirect, permanent. Pure."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from watchkeeper.channels import Outcome

RETRY_AFTER_LIMIT = 3600.0
"""Seconds: a receiver asking for longer is waited on for an hour, then asked again."""


def from_status(status: int, what: str, retry_after: float | None = None) -> Outcome:
    """`what` says in a few words what the receiver answered, free of secrets."""
    if 200 <= status < 300:
        return Outcome("sent", what, status)
    if status == 429:
        return Outcome("retry", f"rate limited: {what}", status, retry_after)
    if status == 408 or status >= 500:
        return Outcome("retry", f"receiver error: {what}", status, retry_after)
    if 300 <= status < 400:
        return Outcome("failed", f"redirected ({status}): configure the final URL", status)
    return Outcome("failed", f"refused: {what}", status)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), RETRY_AFTER_LIMIT)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), RETRY_AFTER_LIMIT)

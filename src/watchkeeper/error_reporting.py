"""Watchkeeper's own errors to Sentry, when `SENTRY_DSN` is set: every error logged (and so every request that
failed with a 500, and every failed engine pass) becomes a Sentry event.

What Sentry gets is scrubbed first: secret values the catalog names are masked wherever they appear, frames
carry no local variables, and requests carry their method only (a ping path or an integration URL holds a
credential; the logged path, already cleaned, is in the event's message)."""

import logging
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.logging import LoggingIntegration

from watchkeeper.logs import Redactor

SENTRY_DSN = "SENTRY_DSN"


def start(dsn: str, redactor: Redactor, release: str, environment: str | None = None) -> None:
    def scrub(event: Any, _hint: Any) -> Any:
        request = event.get("request")
        if isinstance(request, dict):
            event["request"] = {"method": request.get("method")}
        return redactor.masked(event)

    sentry_sdk.init(
        dsn=dsn,
        release=f"watchkeeper@{release}",
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=lambda crumb, _hint: redactor.masked(crumb),
        integrations=[LoggingIntegration(event_level=logging.ERROR)],
    )


def stop() -> None:
    """Sends what is queued (at most two seconds) before the process ends."""
    client = sentry_sdk.get_client()
    if client.is_active():
        client.flush(timeout=2)

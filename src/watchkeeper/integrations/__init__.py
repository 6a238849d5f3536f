"""Inbound alert sources: the payloads other tools send (Prometheus Alertmanager, PagerDuty Events API v2,
Sentry, generic JSON), each parsed into Signals. Parsers are pure: bytes in, signals or a clear refusal out; the
web layer authenticates the integration key and the alerts service applies the signals."""

from dataclasses import dataclass
from typing import Literal

IntegrationType = Literal["alertmanager", "pagerduty_events_v2", "sentry", "generic"]
PAYLOAD_LIMIT = 1024 * 1024
"""Bytes an inbound payload may have; a larger one gets 413."""


@dataclass(frozen=True, slots=True)
class Integration:
    """The team integration a key belongs to."""

    id: str
    team_id: str
    type: IntegrationType


class BadPayload(ValueError):
    """The payload cannot be used; the message says what is wrong and where (a JSON path such as
    `alerts[2].labels`), and is safe to send back to the sender."""

    def __init__(self, reason: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors

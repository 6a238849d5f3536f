"""Inbound alert sources: the payloads other tools send (Prometheus Alertmanager, PagerDuty Events API v2,
Sentry, generic JSON), each parsed into Signals. Parsers are pure: bytes in, signals or a clear refusal out; the
web layer authenticates the integration key and the alerts service applies the signals."""

from dataclasses import dataclass
from typing import Literal

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.domain.alerts import Signal, Subject

IntegrationType = Literal["alertmanager", "pagerduty_events_v2", "sentry", "generic"]
INTEGRATION_TYPES: tuple[IntegrationType, ...] = ("alertmanager", "pagerduty_events_v2", "sentry", "generic")
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


@dataclass(frozen=True, slots=True)
class Inbound:
    """A signal from a sender, about the integration's team until its subject is settled: the first of `named`
    that the catalog holds (a parser cannot know; the service that applies the signal looks), else the team."""

    signal: Signal
    named: tuple[Subject, ...] = ()


def team_subject(integration: Integration) -> Subject:
    return Subject("team", integration.team_id)


def named_subjects(service: str | None, platform: str | None) -> tuple[Subject, ...]:
    """The service and platform a payload names, most specific first; names that cannot be catalog ids are
    left out (they can name nothing Watchkeeper knows)."""
    named = (Subject("service", service or ""), Subject("platform", platform or ""))
    return tuple(subject for subject in named if is_valid_id(subject.id))

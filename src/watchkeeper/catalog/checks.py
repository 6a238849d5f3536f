"""Checks in the catalog: the fields every check has, and the registry of check types.

Each check type is a plugin registered under the entry-point group `watchkeeper.checks`, the built-ins
included; the entry point names a `CheckType` whose `config` model validates that type's fields.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from pydantic import Field, model_validator

from watchkeeper.catalog.types import Id, Model, PositiveDuration, Severity
from watchkeeper.domain.durations import readable_duration

ENTRY_POINT_GROUP = "watchkeeper.checks"


class CheckConfig(Model):
    """Fields common to every check type; each type adds its own."""

    id: Id
    type: str
    name: str | None = None
    interval: PositiveDuration = timedelta(minutes=1)
    timeout: PositiveDuration = timedelta(seconds=10)
    down_after: int = Field(default=2, ge=1, description="consecutive failures before DOWN")
    up_after: int = Field(default=1, ge=1, description="consecutive successes before UP")
    severity: Severity = "page"
    paused: bool = False
    labels: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _timeout_within_interval(self) -> "CheckConfig":
        # Runs start to start: a timeout longer than the interval would overlap one run with the next.
        if self.type != "heartbeat" and self.timeout > self.interval:
            raise ValueError(
                f"timeout ({readable_duration(self.timeout)}) is longer than interval"
                f" ({readable_duration(self.interval)})"
            )
        return self


Probe = Callable[[Any, Any], Awaitable[Any]]
"""(config, probe context) -> observation: the only part of a check type that does I/O."""
Assess = Callable[[Any, Any, datetime], Any]
"""(config, observation, now) -> Verdict: pure, so the same observation always gets the same verdict."""
SlowToAssess = Callable[[Any, Any], bool]
"""(config, observation) -> whether its assessment may take long (a regular expression, a large document):
such a verdict is reached in a worker thread, so the event loop goes on starting and timing other checks."""


@dataclass(frozen=True)
class CheckType:
    name: str
    config: type[CheckConfig]
    description: str
    probe: Probe | None = None
    assess: Assess | None = None
    slow_to_assess: SlowToAssess | None = None


class UnknownCheckType(LookupError):
    pass


@cache
def check_types() -> dict[str, CheckType]:
    """Every installed check type by name, read once from the entry points."""
    found: dict[str, CheckType] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        check_type = entry.load()
        if not isinstance(check_type, CheckType):
            raise TypeError(f"entry point {entry.name} = {entry.value} is not a watchkeeper CheckType")
        found[entry.name] = check_type
    return found


def probed_types() -> frozenset[str]:
    """The check types the engine probes on a schedule."""
    return frozenset(name for name, known in check_types().items() if known.probe is not None)


def unprobed_types() -> frozenset[str]:
    """The check types something else drives (heartbeats: their pings)."""
    return frozenset(check_types()) - probed_types()

"""Services and platforms: what runs, who owns it, how it is watched, and the levels it promises."""

from datetime import datetime, time
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, field_serializer, field_validator, model_validator

from watchkeeper.catalog.checks import CheckConfig, check_types
from watchkeeper.catalog.types import (
    Duration,
    Id,
    LocalDateTime,
    Model,
    Percent,
    PositiveDuration,
    TimeOfDay,
    Timezone,
    Url,
)
from watchkeeper.domain.maintenance import parse_recurrence

if TYPE_CHECKING:
    AnyCheck = CheckConfig
else:
    # One tagged union over every installed check type, so each check validates against its own type's model.
    AnyCheck = Annotated[
        Union[tuple(t.config for t in check_types().values())],  # noqa: UP007 - built at run time
        Discriminator("type"),
    ]


class Maintenance(Model):
    """A planned window: recurring (an RFC 5545 RRULE and a start time) or one-off (a start date and time)."""

    id: Id
    name: str
    recurrence: str | None = None
    start: TimeOfDay | LocalDateTime
    duration: PositiveDuration
    timezone: Timezone
    announce: bool = False

    @field_validator("recurrence")
    @classmethod
    def _rrule(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parse_recurrence(value)
        except ValueError as error:
            raise ValueError(f"{value!r}: {error}") from None
        return value

    @field_serializer("start", when_used="json")
    def _start_as_written(self, start: time | datetime) -> str:
        """The union's members each have a serializer, and pydantic picked the time of day's for a datetime
        too, which dropped a one-off window's date from the stored spec."""
        if isinstance(start, datetime):
            return start.isoformat(timespec="minutes")
        return "24:00" if start == time.max else start.strftime("%H:%M")

    @model_validator(mode="after")
    def _start_fits_recurrence(self) -> "Maintenance":
        recurring = self.recurrence is not None
        if recurring and isinstance(self.start, datetime):
            raise ValueError('a recurring window starts at a time of day, such as "06:00"')
        if not recurring and not isinstance(self.start, datetime):
            raise ValueError("a one-off window starts at a date and time, such as 2026-03-01T06:00")
        return self


class CalendarWindow(Model):
    calendar: Literal["week", "month", "quarter"]


class CheckIndicator(Model):
    checks: list[Id] = Field(min_length=1)
    latency_below: Duration | None = None


class PrometheusIndicator(Model):
    source: Id
    good: str
    total: str


def _indicator_kind(value: Any) -> str:
    """Which indicator a mapping means, so that a typo is reported against that one kind only."""
    if isinstance(value, dict):
        return "prometheus-indicator" if {"source", "good", "total"} & value.keys() else "check-indicator"
    return "prometheus-indicator" if isinstance(value, PrometheusIndicator) else "check-indicator"


def _window_kind(value: Any) -> str:
    return "calendar-window" if isinstance(value, dict | CalendarWindow) else "rolling-window"


Indicator = Annotated[
    Annotated[CheckIndicator, Tag("check-indicator")] | Annotated[PrometheusIndicator, Tag("prometheus-indicator")],
    Discriminator(_indicator_kind),
]
Window = Annotated[
    Annotated[Duration, Tag("rolling-window")] | Annotated[CalendarWindow, Tag("calendar-window")],
    Discriminator(_window_kind),
]


class ServiceLevel(Model):
    id: Id
    name: str
    objective: Percent
    window: Window
    indicator: Indicator
    agreed: str | None = Field(default=None, description="the team's existing agreed level, kept as it is")


class CapacitySignal(Model):
    id: Id
    name: str
    source: Id
    query: str
    limit: float = Field(gt=0)


class Capacity(Model):
    signals: list[CapacitySignal] = Field(default_factory=list)


class Watched(Model):
    """What services and platforms share: an owner, checks, maintenance and links."""

    id: Id
    name: str
    owner: Id
    description: str | None = None
    depends_on: list[Id] = Field(default_factory=list)
    runbook: Url | None = None
    dashboard: Url | None = None
    logs: Url | None = None
    checks: list[AnyCheck] = Field(default_factory=list)
    maintenance: list[Maintenance] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)


class Platform(Watched):
    pass


class Service(Watched):
    platform: Id | None = None
    service_levels: list[ServiceLevel] = Field(default_factory=list)
    capacity: Capacity = Field(default_factory=Capacity)

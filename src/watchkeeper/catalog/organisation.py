"""The organisation's clock and calendar, and where signals are read from."""

from datetime import time, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from watchkeeper.catalog.types import WEEKDAYS, Duration, Id, Model, TimeOfDay, Timezone, Url, Weekday

BankHolidays = Literal["none", "england-and-wales", "scotland", "northern-ireland"]
PriorityName = Literal["P1", "P2", "P3", "P4"]


class SupportHours(Model):
    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1)
    start: TimeOfDay = time(9, 0)
    end: TimeOfDay = time(17, 30)
    bank_holidays: BankHolidays = "none"

    @model_validator(mode="after")
    def _start_before_end(self) -> "SupportHours":
        if self.start >= self.end:
            raise ValueError("support hours must start before they end")
        return self


class Priority(Model):
    name: str
    respond_within: Duration
    update_every: Duration
    in_hours_only: bool = False


def _default_priorities() -> dict[PriorityName, Priority]:
    hour = timedelta(hours=1)
    return {
        "P1": Priority(name="Critical", respond_within=timedelta(minutes=20), update_every=hour),
        "P2": Priority(name="Major", respond_within=hour, update_every=2 * hour),
        "P3": Priority(name="Significant", respond_within=2 * hour, update_every=48 * hour, in_hours_only=True),
        "P4": Priority(name="Minor", respond_within=24 * hour, update_every=120 * hour, in_hours_only=True),
    }


DependencyAlerts = Literal["notify", "page", "quiet"]


class Organisation(Model):
    name: str = "Watchkeeper"
    timezone: Timezone = "UTC"
    support_hours: SupportHours = Field(default_factory=SupportHours)
    dependency_alerts: DependencyAlerts = Field(
        default="notify",
        description="when a platform or dependency is down, what its dependents' alerts do: notify their teams "
        "without paging (notify), page as usual (page), or only be recorded (quiet)",
    )
    incident_priorities: dict[PriorityName, Priority] = Field(default_factory=_default_priorities)

    @field_validator("incident_priorities", mode="after")
    @classmethod
    def _every_priority(cls, given: dict[PriorityName, Priority]) -> dict[PriorityName, Priority]:
        """Priorities not given keep their defaults, so that naming only P1 does not lose P2 to P4."""
        return {**_default_priorities(), **given}


class DataSource(Model):
    id: Id
    type: Literal["prometheus"]
    url: Url
    bearer_token: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

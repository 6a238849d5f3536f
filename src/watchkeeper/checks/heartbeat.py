"""Heartbeat checks: a job pings its secret URL; silence past the grace time is a failure."""

from datetime import datetime
from typing import Literal

from cronsim import CronSim, CronSimError
from pydantic import Field, field_validator, model_validator

from watchkeeper.catalog.checks import CheckConfig, CheckType
from watchkeeper.catalog.types import Duration, PositiveDuration, Timezone

CRON_ALIASES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def cron_expression(schedule: str) -> str:
    """The five-field form of a schedule, with the usual @daily-style names expanded."""
    return CRON_ALIASES.get(schedule.strip().lower(), schedule)


class HeartbeatCheck(CheckConfig):
    type: Literal["heartbeat"] = "heartbeat"
    schedule: str | None = None  # a cron expression, in `timezone` or the organisation's
    period: PositiveDuration | None = None
    grace: Duration
    timezone: Timezone | None = None
    down_after: int = Field(default=1, ge=1, description="missed or failed runs before DOWN; one by default")

    @field_validator("schedule")
    @classmethod
    def _schedule_is_cron(cls, value: str | None) -> str | None:
        if value is None:
            return value
        expression = cron_expression(value)
        if len(expression.split()) != 5:
            raise ValueError(
                f"{value!r} is not a cron expression: give five fields (minute hour day month weekday), "
                "such as '0 2 * * *', or @hourly, @daily, @weekly, @monthly"
            )
        try:
            CronSim(expression, datetime(2026, 1, 1))
        except CronSimError as error:
            raise ValueError(f"{value!r} is not a cron expression: {error}") from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> "HeartbeatCheck":
        if (self.schedule is None) == (self.period is None):
            raise ValueError("give either schedule (a cron expression) or period (such as 1h), not both or neither")
        return self


CHECK = CheckType("heartbeat", HeartbeatCheck, "pings from a job; silence past the grace time is a failure")

"""Heartbeat checks: a job pings its secret URL; silence past the grace time is a failure."""

from datetime import datetime
from typing import Literal

from cronsim import CronSim, CronSimError
from pydantic import field_validator, model_validator

from watchkeeper.catalog.checks import CheckConfig, CheckType
from watchkeeper.catalog.types import Duration, Timezone


class HeartbeatCheck(CheckConfig):
    type: Literal["heartbeat"] = "heartbeat"
    schedule: str | None = None  # a cron expression, in `timezone` or the organisation's
    period: Duration | None = None
    grace: Duration
    timezone: Timezone | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule_is_cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronSim(value, datetime(2026, 1, 1))
            except CronSimError as error:
                raise ValueError(f"'{value}' is not a cron expression: {error}") from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> "HeartbeatCheck":
        if (self.schedule is None) == (self.period is None):
            raise ValueError("give either schedule (a cron expression) or period (such as 1h), not both or neither")
        return self


CHECK = CheckType("heartbeat", HeartbeatCheck, "pings from a job; silence past the grace time is a failure")

"""Field types shared by the catalog models: ids, durations, percentages, times, zones and targets."""

import re
import zoneinfo
from datetime import datetime, time, timedelta
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
)

from watchkeeper.catalog.problems import closest
from watchkeeper.domain.durations import format_duration, format_percent, parse_duration, parse_percent


class Model(BaseModel):
    """Every catalog object: immutable, strict about types (no "yes" for true, no "443" for 443) and about
    unknown fields, so that a typo is reported rather than quietly read as something else."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""Lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters."""


def is_valid_id(value: str) -> bool:
    return re.fullmatch(ID_PATTERN, value) is not None


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and value == 0:
        return timedelta(0)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a duration: write it with a unit, such as 30s, 15m or 1w")
    return parse_duration(value)


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("a duration cannot be negative")
    return value


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    AfterValidator(_not_negative),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
]


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]


def _percent(value: Any) -> float:
    if isinstance(value, str):
        return parse_percent(value)
    raise ValueError(f"{value!r} is not a percentage: write it with a percent sign, such as 99.9%")


Percent = Annotated[
    float, BeforeValidator(_percent), PlainSerializer(format_percent, return_type=str, when_used="json")
]


def _threshold(value: Any) -> timedelta | float:
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_percent(value)
    return _duration(value)


def _format_threshold(value: timedelta | float) -> str:
    return format_duration(value) if isinstance(value, timedelta) else format_percent(value)


Threshold = Annotated[
    timedelta | float,
    BeforeValidator(_threshold),
    PlainSerializer(_format_threshold, return_type=str, when_used="json"),
]
"""A share of a lifetime (`30%`) or a length of time (`7d`)."""


def _time_of_day(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(part) for part in value.strip().split(":"))
        if hours == 24 and minutes == 0:
            return time.max  # "24:00": the end of the day
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    raise ValueError(f'{value!r} is not a time of day: write it as HH:MM in quotes, such as "09:30"')


def _format_time(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


TimeOfDay = Annotated[
    time, BeforeValidator(_time_of_day), PlainSerializer(_format_time, return_type=str, when_used="json")
]


def _local_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date and time: write it as YYYY-MM-DDTHH:MM, such as 2026-01-07T09:30"
            ) from None
    else:
        raise ValueError(f"{value!r} is not a date and time: write it as YYYY-MM-DDTHH:MM")
    if parsed.tzinfo is not None:
        raise ValueError("give a local time without an offset; the schedule's timezone applies")
    return parsed


LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_local_datetime),
    PlainSerializer(lambda v: v.isoformat(timespec="minutes"), return_type=str, when_used="json"),
]


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a timezone name such as Europe/London")
    if value not in _zones():
        hint = closest(value, _zones())
        raise ValueError(f"unknown timezone '{value}' ({hint or 'use an IANA name such as Europe/London'})")
    return value


Timezone = Annotated[str, BeforeValidator(_timezone)]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Severity = Literal["page", "ticket", "info"]

TARGET_KINDS = ("schedule", "person", "channel")


def _target(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(schedule|person|channel):[a-z0-9][a-z0-9_-]*", value):
        raise ValueError(
            f"{value!r} is not a target: write schedule:ID, person:ID or channel:ID, such as schedule:re-primary"
        )
    return value


Target = Annotated[str, BeforeValidator(_target)]


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a URL")
    if "${" in value:  # resolved from a secret when used; checked then
        return value
    match = re.fullmatch(r"(?i:https?)://(\[[0-9a-fA-F:.]+\]|[^\s/:?#\[\]]+)(?::(\d{1,5}))?([/?#]\S*)?", value)
    if match is None and re.match(r"(?i:https?)://[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:[/?#]|$)", value):
        raise ValueError(
            f"{value[:80]!r} has an IPv6 address without brackets: write the address in square brackets, "
            "with any port after them, such as http://[::1]:8080/"
        )
    if match is None or (match.group(2) and not 0 < int(match.group(2)) <= 65535):
        raise ValueError(f"{value[:80]!r} is not an http:// or https:// URL")
    return value


Url = Annotated[str, BeforeValidator(_url)]


def _email(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ValueError(f"{value!r} is not an email address")
    return value


Email = Annotated[str, BeforeValidator(_email)]

Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
"""An international number in E.164 form, such as +447700900101."""

"""Durations and percentages as people write them in the catalog: `30s`, `15m`, `1h30m`, `1w`, `99.95%`."""

import re
from datetime import timedelta

_UNITS: dict[str, timedelta] = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def parse_duration(text: str) -> timedelta:
    """Read `30s`, `15m`, `1h30m`, `2d`, `1w`; a bare `0` means no time at all."""
    cleaned = text.strip().replace(" ", "")
    if cleaned == "0":
        return timedelta(0)
    if not _WHOLE.fullmatch(cleaned):
        raise ValueError(
            f"'{text}' is not a duration: write a number and a unit, such as 30s, 15m, 1h30m, 2d or 1w "
            "(units: ms, s, m, h, d, w)"
        )
    total = timedelta(0)
    try:
        for amount, unit in _PART.findall(cleaned):
            total += float(amount) * _UNITS[unit]
    except OverflowError:
        raise ValueError(f"'{text}' is longer than any duration Watchkeeper can use") from None
    return total


def format_duration(value: timedelta) -> str:
    """The shortest catalog spelling of a duration, so that a stored value reads like what was written."""
    remaining_ms = round(value.total_seconds() * 1000)
    if remaining_ms == 0:
        return "0s"
    sign = "-" if remaining_ms < 0 else ""
    remaining_ms = abs(remaining_ms)
    parts: list[str] = []
    for unit in ("w", "d", "h", "m", "s", "ms"):
        size = round(_UNITS[unit].total_seconds() * 1000)
        count, remaining_ms = divmod(remaining_ms, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


_SPOKEN: tuple[tuple[str, int], ...] = (("d", 86_400_000), ("h", 3_600_000), ("min", 60_000))


def readable_duration(value: timedelta) -> str:
    """A duration for a reason or a message people read: `3 s`, `1.5 s`, `2 min`, `1 h 30 min`. Under a minute
    it is seconds (with up to three decimals); above, whole units largest first, seconds only when there are
    any. Not the catalog spelling (`format_duration`), which is for values a person writes back."""
    remaining_ms = abs(round(value.total_seconds() * 1000))
    sign = "-" if value < timedelta(0) and remaining_ms else ""
    if remaining_ms < 60_000:
        return f"{sign}{remaining_ms / 1000:g} s"
    parts: list[str] = []
    for unit, size in _SPOKEN:
        count, remaining_ms = divmod(remaining_ms, size)
        if count:
            parts.append(f"{count} {unit}")
    if remaining_ms:
        parts.append(f"{remaining_ms / 1000:g} s")
    return sign + " ".join(parts)


def parse_percent(text: str) -> float:
    """Read `99.95%` as 99.95. The percent sign is required so that 0.999 and 99.9 cannot be confused."""
    match = _PERCENT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a percentage: write it with a percent sign, such as 99.9%")
    value = float(match.group(1))
    if value > 100:
        raise ValueError(f"'{text}' is more than 100%")
    return value


def format_percent(value: float) -> str:
    return f"{value:g}%"

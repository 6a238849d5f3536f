"""Lengths of time in words, for reasons people read: "3 days", "5 hours", "40 minutes"."""

from datetime import timedelta


def in_words(length: timedelta) -> str:
    seconds = abs(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size or (unit == "minute" and seconds >= size):
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = int(seconds)
    return f"{count} second{'s' if count != 1 else ''}"

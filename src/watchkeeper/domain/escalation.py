"""Escalation steps: when each level of a policy is paged, and when the levels run again (ADR 0036).

A level's `after` counts from the start of its round (the first level's too, when it has one). A repeated
round starts `repeat_after` after the round before it began, or, when that is not given, as long after the last
level as the last level came after the one before it (15 minutes after a lone level), so that the last level
has as long to answer as the one before had.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

LONE_LEVEL_ROUND = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Plan:
    offsets: tuple[timedelta, ...]
    """Each level's time from the start of its round; the first is zero."""
    rounds: int
    """How many times the levels run: one, and one more for each repeat."""
    round_length: timedelta


@dataclass(frozen=True, slots=True)
class Step:
    round: int
    level: int
    round_started_at: datetime
    at: datetime
    """When this level is paged."""


def plan(afters: Sequence[timedelta | None], repeat: int, repeat_after: timedelta | None) -> Plan:
    offsets = tuple(after or timedelta(0) for after in afters)
    if repeat_after is not None:
        length = repeat_after
    elif len(offsets) > 1:
        length = offsets[-1] + (offsets[-1] - offsets[-2])
    else:
        length = LONE_LEVEL_ROUND
    return Plan(offsets=offsets, rounds=repeat + 1, round_length=length)


def first(plan: Plan, now: datetime) -> Step:
    return Step(round=0, level=0, round_started_at=now, at=now + plan.offsets[0])


def following(plan: Plan, step: Step) -> Step | None:
    """The step after `step`, or None when the last round's last level has been paged."""
    if step.level + 1 < len(plan.offsets):
        level = step.level + 1
        return Step(step.round, level, step.round_started_at, step.round_started_at + plan.offsets[level])
    if step.round + 1 < plan.rounds:
        started = step.round_started_at + plan.round_length
        return Step(step.round + 1, 0, started, started + plan.offsets[0])
    return None

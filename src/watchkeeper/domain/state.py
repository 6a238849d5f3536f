"""The check state machine: consecutive failures confirm DOWN, consecutive successes confirm UP, and a check
that keeps changing its mind is flagged as flapping. Pure: the time of each result comes in as an argument."""

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

Status = Literal["unknown", "up", "down"]
FLAP_WINDOW = 20
"""How many recent results flapping is judged over."""
FLAP_CHANGES = 6
"""Pass/fail changes within the window that count as flapping (a steady check has none or one)."""


@dataclass(frozen=True, slots=True)
class CheckState:
    status: Status = "unknown"
    since: datetime | None = None
    failures: int = 0
    """Consecutive failed results, up to now."""
    successes: int = 0
    """Consecutive passing results, up to now."""
    recent: tuple[bool, ...] = ()
    """The latest results, oldest first, at most FLAP_WINDOW of them."""

    @property
    def flips(self) -> int:
        """Changes between passing and failing among the recent results."""
        return sum(1 for a, b in itertools.pairwise(self.recent) if a != b)

    @property
    def flapping(self) -> bool:
        return self.flips >= FLAP_CHANGES


ChangeKind = Literal["status", "flapping", "steady"]


@dataclass(frozen=True, slots=True)
class StateChange:
    """UP or DOWN confirmed (kind "status"), or a check starting or ceasing to flap (its status unchanged)."""

    before: Status
    after: Status
    at: datetime
    reason: str
    kind: ChangeKind = "status"


def advance(
    state: CheckState, ok: bool, reason: str, at: datetime, *, down_after: int, up_after: int
) -> tuple[CheckState, StateChange | None]:
    """The state after one more result, and the change it caused, if any.

    `down_after` failures in a row confirm DOWN, always, so one blip after a restart raises no alert; a check
    with no state yet is UP on its first success, and after DOWN `up_after` successes in a row confirm UP.
    """
    recent = (*state.recent, ok)[-FLAP_WINDOW:]
    failures = 0 if ok else state.failures + 1
    successes = state.successes + 1 if ok else 0
    nxt = replace(state, failures=failures, successes=successes, recent=recent)
    target: Status = "up" if ok else "down"
    confirmed = (state.status == "unknown" or successes >= up_after) if ok else failures >= down_after
    if state.status == target or not confirmed:
        return nxt, None
    change = StateChange(state.status, target, at, reason)
    return replace(nxt, status=target, since=at), change


def flap_change(before: CheckState, after: CheckState, at: datetime) -> StateChange | None:
    """The event when a check starts or stops flapping, with the evidence; None when neither happened."""
    if before.flapping == after.flapping:
        return None
    window = f"{after.flips} changes between passing and failing in the last {len(after.recent)} results"
    if after.flapping:
        return StateChange(after.status, after.status, at, f"flapping: {window}", kind="flapping")
    return StateChange(after.status, after.status, at, f"steady again: {window}", kind="steady")

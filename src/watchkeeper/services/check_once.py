"""Run one check once: probe, then the pure verdict. What `watchkeeper check` prints, and what the engine
(which adds scheduling, state and persistence) does for every check."""

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from watchkeeper.catalog.checks import Assess, CheckConfig, CheckType, check_types
from watchkeeper.checks.context import ProbeContext
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.observations import Certificate, Timings, Verdict
from watchkeeper.services.clock import Clock


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    check_type: str
    at: datetime
    verdict: Verdict
    timings: Timings
    certificate: Certificate | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check_id,
            "type": self.check_type,
            "at": self.at.isoformat(),
            "ok": self.verdict.ok,
            "state": "up" if self.verdict.ok else "down",
            "reason": self.verdict.reason,
            "timings": self.timings.as_dict(),
            "certificate": self.certificate.as_dict() if self.certificate else None,
        }


class CannotRun(Exception):
    """The check type has no probe installed, so it cannot be run on demand."""


async def run_once(check: CheckConfig, context: ProbeContext, clock: Clock) -> CheckResult:
    check_type = check_types()[check.type]
    if check_type.probe is None or check_type.assess is None:
        raise CannotRun(f"{check.type} checks are driven by what they receive, so they cannot be run on demand")
    at = clock.now()
    try:
        seen = await check_type.probe(check, context)
    except Exception as error:  # a definition the probe cannot use: a failed result that says so, not silence
        reason = f"the check could not run: {type(error).__name__}: {_first_line(error)}"
        return CheckResult(check.id, check.type, at, Verdict(False, _capped(reason)), Timings(), None)
    verdict = await _verdict(check_type, check, seen, context, clock.now())
    if len(verdict.reason) > MAX_REASON:
        verdict = replace(verdict, reason=_capped(verdict.reason))
    return CheckResult(check.id, check.type, at, verdict, seen.timings, getattr(seen, "certificate", None))


async def _verdict(
    check_type: CheckType, check: CheckConfig, seen: Any, context: ProbeContext, now: datetime
) -> Verdict:
    """The check type's verdict. An assessment that raises is a failed result saying so, like a probe that does."""
    assert check_type.assess is not None
    try:
        if check_type.slow_to_assess is not None and check_type.slow_to_assess(check, seen):
            return await _off_the_loop(check_type.assess, check, seen, context, now)
        verdict: Verdict = check_type.assess(check, seen, now)
    except Exception as error:
        return Verdict(
            False, _capped(f"the answer could not be assessed: {type(error).__name__}: {_first_line(error)}")
        )
    return verdict


ASSESS_GRACE_SECONDS = 0.25
"""Beyond the check's timeout, how long to wait for a slow assessment before giving the check up. A check
type's own limits (a regular expression's) count processor time, which on a busy machine runs slower than the
clock on the wall: this keeps the run within about its timeout whatever the load."""

MIN_ASSESS_SECONDS = 0.1
"""The least time an assessment gets, even when the probe took all of the check's timeout."""


async def _off_the_loop(assess: Assess, check: CheckConfig, seen: Any, context: ProbeContext, now: datetime) -> Verdict:
    """A slow assessment in a worker thread, so the event loop goes on starting and timing other checks."""
    spent = (seen.timings.total or 0.0) / 1000
    left = max(check.timeout.total_seconds() - spent, MIN_ASSESS_SECONDS) + ASSESS_GRACE_SECONDS
    running = asyncio.get_running_loop().run_in_executor(context.assessors, assess, check, seen, now)
    done, _ = await asyncio.wait({running}, timeout=left)
    if not done:  # the thread ends at its own limit; its verdict is not waited for
        running.cancel()
        return Verdict(
            False, f"took longer than the check's {readable_duration(check.timeout)} timeout to assess the answer"
        )
    verdict: Verdict = running.result()
    return verdict


MAX_REASON = 300
"""Characters of a reason kept: a reason can quote what a target sent, and a target can send anything."""


def _capped(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]

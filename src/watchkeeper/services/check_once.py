"""Run one check once: probe, then the pure verdict. What `watchkeeper check` prints, and what the engine
(which adds scheduling, state and persistence) does for every check."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from watchkeeper.catalog.checks import CheckConfig, check_types
from watchkeeper.checks.context import ProbeContext
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
    verdict: Verdict = check_type.assess(check, seen, clock.now())
    if len(verdict.reason) > MAX_REASON:
        verdict = replace(verdict, reason=_capped(verdict.reason))
    return CheckResult(check.id, check.type, at, verdict, seen.timings, getattr(seen, "certificate", None))


MAX_REASON = 300
"""Characters of a reason kept: a reason can quote what a target sent, and a target can send anything."""


def _capped(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [""])[0]

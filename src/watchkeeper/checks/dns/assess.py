"""Whether a DNS answer is the one expected. Pure. Names compare without case or a trailing dot."""

from datetime import datetime

from watchkeeper.checks.dns.config import DnsCheck
from watchkeeper.domain.excerpts import excerpt
from watchkeeper.domain.observations import DnsObservation, Verdict


def _normal(value: str) -> str:
    return value.strip().rstrip(".").lower()


def assess(check: DnsCheck, seen: DnsObservation, now: datetime) -> Verdict:
    if seen.failure is not None:
        return Verdict(False, seen.failure.message)
    what = f"{check.record} {check.name}"
    if seen.rcode != check.expect.rcode:
        return Verdict(False, f"{what}: {seen.rcode}, expected {check.expect.rcode}")
    answers = {_normal(answer) for answer in seen.answers}
    missing = [value for value in check.expect.contains if _normal(value) not in answers]
    if missing:
        found = excerpt(", ".join(seen.answers)) or "no records"
        return Verdict(False, f"{what} lacks {', '.join(missing)} (answered {found})")
    if check.expect.equals is not None and answers != {_normal(value) for value in check.expect.equals}:
        found = excerpt(", ".join(sorted(seen.answers))) or "empty"
        return Verdict(False, f"{what} is {found}, expected {', '.join(check.expect.equals)}")
    found = excerpt(", ".join(seen.answers)) or str(seen.rcode)
    return Verdict(True, f"{what}: {found} in {seen.timings.total or 0:.0f} ms")

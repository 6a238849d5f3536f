"""Whether a TCP observation passes. Pure."""

from datetime import datetime

from watchkeeper.checks.tcp.config import TcpCheck
from watchkeeper.domain.observations import TcpObservation, Verdict


def assess(check: TcpCheck, seen: TcpObservation, now: datetime) -> Verdict:
    if seen.failure is not None:
        return Verdict(False, seen.failure.message)
    if check.expect is not None and check.expect not in seen.reply.decode("utf-8", errors="replace"):
        return Verdict(False, f"reply from {seen.host}:{seen.port} lacks {check.expect!r}")
    return Verdict(True, f"connected to {seen.host}:{seen.port} in {seen.timings.connect or 0:.0f} ms")

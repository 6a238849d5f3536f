"""What a probe saw, as plain immutable values. A probe only observes; whether that passes is decided by the
check type's pure `assess` function, so the same observation always gets the same verdict."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

FailureKind = Literal["timeout", "refused", "reset", "dns", "tls", "protocol", "redirects", "unreachable", "error"]


@dataclass(frozen=True, slots=True)
class ProbeFailure:
    """The probe could not get an answer; `message` says what happened, in words a person can act on."""

    kind: FailureKind
    message: str


@dataclass(frozen=True, slots=True)
class Timings:
    """Milliseconds spent in each phase; None where the phase did not happen (no TLS on http://)."""

    dns: float | None = None
    connect: float | None = None
    tls: float | None = None
    first_byte: float | None = None
    total: float | None = None

    def as_dict(self) -> dict[str, float]:
        return {
            name: round(value, 1)
            for name, value in (
                ("dns", self.dns),
                ("connect", self.connect),
                ("tls", self.tls),
                ("first_byte", self.first_byte),
                ("total", self.total),
            )
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class Certificate:
    """The leaf certificate a TLS server presented."""

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    names: tuple[str, ...] = ()
    key_type: str = ""
    key_bits: int = 0
    signature_algorithm: str = ""
    serial: str = ""

    def lifetime_left(self, now: datetime) -> float:
        """The share of the certificate's lifetime still to run, from 0.0 to 1.0."""
        lifetime = (self.not_after - self.not_before).total_seconds()
        if lifetime <= 0:
            return 0.0
        return max(0.0, min(1.0, (self.not_after - now).total_seconds() / lifetime))

    def as_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "names": list(self.names),
            "key_type": self.key_type,
            "key_bits": self.key_bits,
            "signature_algorithm": self.signature_algorithm,
            "serial": self.serial,
        }


@dataclass(frozen=True, slots=True)
class HttpObservation:
    url: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    body_truncated: bool = False
    timings: Timings = field(default_factory=Timings)
    certificate: Certificate | None = None
    tls_version: str | None = None
    redirects: tuple[str, ...] = ()
    failure: ProbeFailure | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class TcpObservation:
    host: str
    port: int
    reply: bytes = b""
    timings: Timings = field(default_factory=Timings)
    failure: ProbeFailure | None = None


@dataclass(frozen=True, slots=True)
class DnsObservation:
    name: str
    record: str
    rcode: str | None = None
    answers: tuple[str, ...] = ()
    timings: Timings = field(default_factory=Timings)
    failure: ProbeFailure | None = None


@dataclass(frozen=True, slots=True)
class TlsObservation:
    host: str
    port: int
    certificate: Certificate | None = None
    chain_verified: bool = False
    verify_error: str | None = None
    hostname_matches: bool = False
    tls_version: str | None = None
    timings: Timings = field(default_factory=Timings)
    failure: ProbeFailure | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one check run: ok or not, and a reason a person can act on."""

    ok: bool
    reason: str
    warning: bool = False
    """Passing, but near a limit (a certificate inside its warn threshold): worth a ticket, not a page."""

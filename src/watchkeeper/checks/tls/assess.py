"""Whether a TLS observation passes: trusted chain, matching name, acceptable version, and time left against
the expiry thresholds (each a share of the certificate's lifetime, or a length of time). Pure."""

from datetime import datetime, timedelta

from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.domain.excerpts import excerpt
from watchkeeper.domain.lengths import in_words
from watchkeeper.domain.observations import Certificate, TlsObservation, Verdict

_VERSIONS = {"TLSv1": 10, "TLSv1.1": 11, "TLSv1.2": 12, "TLSv1.3": 13}


def assess(check: TlsCheck, seen: TlsObservation, now: datetime) -> Verdict:
    if seen.failure is not None:
        return Verdict(False, seen.failure.message)
    certificate = seen.certificate
    assert certificate is not None  # a probe without a failure saw a certificate
    if not seen.chain_verified:
        return Verdict(False, f"certificate not trusted: {excerpt(seen.verify_error or 'unknown reason', 200)}")
    if not seen.hostname_matches:
        names = excerpt(", ".join(certificate.names) or certificate.subject)  # a certificate can name hundreds
        return Verdict(False, f"certificate is for {names}, not {check.sni or check.host}")
    if check.min_version and _VERSIONS.get(seen.tls_version or "", 0) < _VERSIONS[check.min_version]:
        return Verdict(False, f"{excerpt(str(seen.tls_version))} negotiated, {check.min_version} or later required")
    left = certificate.not_after - now
    if left <= timedelta(0):
        return Verdict(False, f"certificate expired {in_words(left)} ago, on {certificate.not_after:%Y-%m-%d}")
    described = _time_left(certificate, now)
    if _within(check.expiry.critical, certificate, now):
        return Verdict(False, described)
    if _within(check.expiry.warn, certificate, now):
        return Verdict(True, f"{described}: renew it soon", warning=True)
    return Verdict(True, f"{described}, {seen.tls_version}, {certificate.key_type} {certificate.key_bits}")


def _within(threshold: timedelta | float, certificate: Certificate, now: datetime) -> bool:
    if isinstance(threshold, timedelta):
        return certificate.not_after - now <= threshold
    return certificate.lifetime_left(now) * 100 <= threshold


def _time_left(certificate: Certificate, now: datetime) -> str:
    share = certificate.lifetime_left(now) * 100
    return f"certificate expires in {in_words(certificate.not_after - now)} ({share:.0f}% of its lifetime)"

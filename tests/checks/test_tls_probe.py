"""The TLS check against real local TLS servers with certificates made by trustme."""

import asyncio
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.tls.assess import assess
from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.checks.tls.probe import probe as tls_probe
from watchkeeper.domain.observations import Certificate, TlsObservation
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def run(url: str, **fields: Any) -> CheckResult:
    port = int(url.rsplit(":", 1)[1])
    check = TlsCheck.model_validate({"id": "t", "host": "localhost", "port": port, "timeout": "3s", **fields})

    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(once())


def test_a_trusted_certificate_passes_with_its_details(targets):
    result = run(targets.https, ca_bundle=targets.ca_bundle, expiry={"warn": "1d", "critical": "1h"})

    assert result.verdict.ok
    assert result.verdict.reason.startswith("certificate expires in ")
    assert "% of its lifetime)" in result.verdict.reason
    assert result.certificate is not None
    assert result.certificate.key_bits > 0
    assert set(result.timings.as_dict()) == {"dns", "connect", "tls", "total"}


def test_an_untrusted_chain_is_named(targets):
    result = run(targets.https)

    assert not result.verdict.ok
    assert result.verdict.reason.startswith("certificate not trusted: ")
    assert result.certificate is not None  # read anyway, so the reason and the console can show it


def test_an_expired_certificate_says_how_long_ago(targets):
    result = run(targets.https_expired, ca_bundle=targets.ca_bundle)

    assert not result.verdict.ok
    assert result.verdict.reason == "certificate not trusted: certificate has expired"


def test_a_certificate_for_another_host_names_what_it_is_for(targets):
    result = run(targets.https_wrong_host, ca_bundle=targets.ca_bundle)

    assert result.verdict.reason == "certificate is for elsewhere.test, not localhost"


def test_a_refused_port_is_a_failure(targets):
    result = run(f"x:{targets.closed}")

    assert result.verdict.reason == f"connection refused by localhost:{targets.closed}"


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def certificate(days_total: int, days_left: float) -> Certificate:
    not_after = NOW + timedelta(days=days_left)
    return Certificate("CN=x", "CN=ca", not_after - timedelta(days=days_total), not_after, ("x.test",), "RSA", 2048)


def observed(cert: Certificate) -> TlsObservation:
    return TlsObservation("x.test", 443, cert, chain_verified=True, hostname_matches=True, tls_version="TLSv1.3")


@pytest.mark.parametrize(
    ("total", "left", "expiry", "ok", "warning", "reason"),
    [
        (90, 60, {}, True, False, "certificate expires in 60 days (67% of its lifetime), TLSv1.3, RSA 2048"),
        (90, 20, {}, True, True, "certificate expires in 20 days (22% of its lifetime): renew it soon"),
        (90, 3, {}, False, False, "certificate expires in 3 days (3% of its lifetime)"),
        (
            47,
            10,
            {"warn": "25%", "critical": "5%"},
            True,
            True,
            "certificate expires in 10 days (21% of its lifetime): renew it soon",
        ),
        (47, 2, {"warn": "25%", "critical": "5%"}, False, False, "certificate expires in 2 days (4% of its lifetime)"),
        (365, 0.5, {"critical": "1d"}, False, False, "certificate expires in 12 hours (0% of its lifetime)"),
        (90, -2, {}, False, False, "certificate expired 2 days ago, on 2026-05-30"),
    ],
)
def test_thresholds_are_shares_of_lifetime_or_lengths_of_time(total, left, expiry, ok, warning, reason):
    check = TlsCheck.model_validate({"id": "t", "host": "x.test", "expiry": expiry})

    verdict = assess(check, observed(certificate(total, left)), NOW)

    assert (verdict.ok, verdict.warning, verdict.reason) == (ok, warning, reason)


def test_an_old_tls_version_fails_a_minimum():
    check = TlsCheck.model_validate({"id": "t", "host": "x.test", "min_version": "TLSv1.3"})
    seen = TlsObservation("x.test", 443, certificate(90, 60), True, None, True, "TLSv1.2")

    assert assess(check, seen, NOW).reason == "TLSv1.2 negotiated, TLSv1.3 or later required"


def test_a_server_that_never_finishes_the_handshake_is_named_within_the_timeout(targets):
    check = TlsCheck(id="t", host="127.0.0.1", port=targets.silent, timeout=timedelta(seconds=1))
    started = time.monotonic()

    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    result = asyncio.run(once())

    assert time.monotonic() - started < 3  # 1 s, and at most CLOSE_SECONDS to leave the connection
    assert result.verdict.reason == f"timed out after 1 s during the TLS handshake with 127.0.0.1:{targets.silent}"


def test_a_tls_probe_returns_within_its_timeout_on_the_default_event_loop(targets):
    check = TlsCheck(id="c", host="127.0.0.1", port=targets.silent, timeout=timedelta(seconds=1))
    outcome: list[object] = []

    def run() -> None:  # `watchkeeper check` runs probes with asyncio.run, not uvloop
        outcome.append(asyncio.run(tls_probe(check, None)))  # type: ignore[arg-type]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(6)

    assert outcome, "the TLS probe had not returned 6 s after its 1 s timeout"


def test_a_peer_that_never_answers_the_close_holds_neither_the_probe_nor_its_socket(mute_tls, sockets_to):
    check = TlsCheck(id="t", host="localhost", port=mute_tls.port, ca_bundle=mute_tls.ca_bundle)
    started = time.monotonic()

    async def once() -> tuple[CheckResult, list[str]]:
        async with probe_context() as context:
            result = await run_once(check, context, SystemClock())
            await asyncio.sleep(0.1)  # an abort closes the socket at the loop's next turn
            return result, sockets_to(mute_tls.port)

    result, still_open = asyncio.run(once())

    assert result.verdict.ok, result.verdict.reason
    assert time.monotonic() - started < 3  # at most CLOSE_SECONDS waiting for the close
    assert still_open == []


def test_a_certificate_for_many_other_names_is_named_in_part():
    names = tuple(f"host-{n}.elsewhere.test" for n in range(500))
    cert = replace(certificate(90, 60), names=names)
    seen = TlsObservation("x.test", 443, cert, chain_verified=True, hostname_matches=False, tls_version="TLSv1.3")

    verdict = assess(TlsCheck(id="t", host="x.test"), seen, NOW)

    assert verdict.reason == f"certificate is for {', '.join(names)[:60]}…, not x.test"

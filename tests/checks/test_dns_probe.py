"""The DNS check against a small DNS responder on loopback, answering from a fixed zone."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.dns.assess import assess
from watchkeeper.checks.dns.config import DnsCheck
from watchkeeper.domain.observations import DnsObservation, Timings
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def run(resolver: str, name: str, **fields: Any) -> CheckResult:
    check = DnsCheck.model_validate({"id": "d", "name": name, "resolver": resolver, "timeout": "1s", **fields})

    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(once())


def test_expected_addresses_pass(responder):
    result = run(responder, "cloud.example.test", expect={"contains": ["192.0.2.10"]})

    assert result.verdict.ok
    assert result.verdict.reason.startswith("A cloud.example.test: 192.0.2.10, 192.0.2.11 in ")


@pytest.mark.parametrize(
    ("name", "fields", "reason"),
    [
        (
            "cloud.example.test",
            {"expect": {"contains": ["192.0.2.99"]}},
            "A cloud.example.test lacks 192.0.2.99 (answered 192.0.2.10, 192.0.2.11)",
        ),
        (
            "cloud.example.test",
            {"expect": {"equals": ["192.0.2.10"]}},
            "A cloud.example.test is 192.0.2.10, 192.0.2.11, expected 192.0.2.10",
        ),
        ("gone.example.test", {}, "A gone.example.test: NXDOMAIN, expected NOERROR"),
        ("broken.example.test", {}, "A broken.example.test: SERVFAIL, expected NOERROR"),
    ],
)
def test_wrong_answers_say_what_came_back(responder, name, fields, reason):
    assert run(responder, name, **fields).verdict.reason == reason


def test_other_record_types_and_expected_rcodes(responder):
    assert run(responder, "cloud.example.test", record="MX", expect={"equals": ["10 mail.example.test"]}).verdict.ok
    assert run(responder, "cloud.example.test", record="TXT", expect={"contains": ["v=spf1 -all"]}).verdict.ok
    assert run(responder, "www.example.test", record="CNAME", expect={"contains": ["CLOUD.example.test."]}).verdict.ok
    assert run(responder, "gone.example.test", expect={"rcode": "NXDOMAIN"}).verdict.ok


def test_a_resolver_that_does_not_answer_times_out(responder):
    result = run(responder, "silent.example.test")

    assert not result.verdict.ok
    assert result.verdict.reason == f"no DNS answer from {responder} within 1 s"


def test_a_long_answer_is_quoted_in_part():
    check = DnsCheck.model_validate({"id": "d", "name": "x.test", "record": "TXT", "expect": {"contains": ["v=1"]}})
    records = tuple(f"record-{n:04d}" for n in range(2_000))
    seen = DnsObservation("x.test", "TXT", "NOERROR", records, Timings(total=3))

    verdict = assess(check, seen, datetime(2026, 7, 1, tzinfo=UTC))

    assert verdict.reason == f"TXT x.test lacks v=1 (answered {', '.join(records)[:60]}…)"

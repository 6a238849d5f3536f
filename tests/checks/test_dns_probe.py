"""The DNS check against a small DNS responder on loopback, answering from a fixed zone."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.dns.config import DnsCheck
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock

ZONE = {
    ("cloud.example.test.", "A"): ["192.0.2.10", "192.0.2.11"],
    ("cloud.example.test.", "MX"): ["10 mail.example.test."],
    ("cloud.example.test.", "TXT"): ['"v=spf1 -all"'],
    ("www.example.test.", "CNAME"): ["cloud.example.test."],
}


def _answer(wire: bytes) -> bytes | None:
    query = dns.message.from_wire(wire)
    question = query.question[0]
    name, kind = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
    if name == "broken.example.test.":
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        return response.to_wire()
    if name == "silent.example.test.":
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if (name, kind) in ZONE:
        response.answer.append(dns.rrset.from_text_list(name, 60, "IN", kind, ZONE[(name, kind)]))
    elif not any(zone_name == name for zone_name, _ in ZONE):
        response.set_rcode(dns.rcode.NXDOMAIN)
    return response.to_wire()


@pytest.fixture(scope="module")
def responder() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    running = True

    def serve() -> None:
        while running:
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            reply = _answer(wire)
            if reply is not None:
                sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    running = False
    thread.join()
    sock.close()


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

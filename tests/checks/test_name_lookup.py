"""Name lookups for HTTP probes: through the given name servers (here the tests' own responder, never the
machine's), or the hosts file, with a reason a person can act on when a name does not resolve."""

import asyncio
import socket
from typing import Any

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.checks.resolver import ProbeResolver
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def nameserver(responder: str) -> tuple[str, int]:
    host, port = responder.rsplit(":", 1)
    return host, int(port)


def run(url: str, responder: str, **fields: Any) -> CheckResult:
    check = HttpCheck.model_validate({"id": "c", "url": url, "timeout": "2s", **fields})

    async def once() -> CheckResult:
        async with probe_context(nameservers=[nameserver(responder)]) as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(once())


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_name_that_does_not_exist_says_so(targets, responder):
    port = port_of(targets.http)
    result = run(f"http://nowhere.example.test:{port}/ok", responder)

    assert not result.verdict.ok
    assert result.verdict.reason == f"cannot resolve nowhere.example.test:{port}: no such name (NXDOMAIN)"


def test_a_name_whose_servers_fail_says_so(targets, responder):
    result = run(f"http://broken.example.test:{port_of(targets.http)}/ok", responder)

    assert result.verdict.reason.endswith(": the name servers failed to answer")


def test_a_name_is_looked_up_and_timed_before_the_connection(targets, responder):
    result = run(f"http://app.example.test:{port_of(targets.http)}/ok", responder)

    assert result.verdict.ok, result.verdict.reason
    phases = result.timings.as_dict()
    assert phases["dns"] > 0
    assert phases["dns"] + phases["connect"] <= phases["first_byte"]


def test_the_hosts_file_answers_before_any_name_server(tmp_path):
    hosts = tmp_path / "hosts"
    hosts.write_text("# comment\n127.0.0.1 localhost\n10.1.2.3   Intranet.Example intranet  # office\n::1 ip6-local\n")
    # A name server that cannot be reached: the hosts file must answer without asking it.
    resolver = ProbeResolver([("127.0.0.1", 9)], hosts_file=hosts)

    found = asyncio.run(resolver.resolve("intranet.example", 443, socket.AF_UNSPEC))

    assert [(r["host"], r["port"], r["family"]) for r in found] == [("10.1.2.3", 443, socket.AF_INET)]
    assert asyncio.run(resolver.resolve("ip6-local", 80))[0]["family"] == socket.AF_INET6

"""The TCP check against real local servers."""

import asyncio
from typing import Any

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.tcp.config import TcpCheck
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def run(port: int, **fields: Any) -> CheckResult:
    check = TcpCheck.model_validate({"id": "t", "host": "127.0.0.1", "port": port, "timeout": "2s", **fields})

    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(once())


def test_a_connection_passes_with_its_connect_time(targets):
    result = run(targets.banner)

    assert result.verdict.ok
    assert result.verdict.reason.startswith(f"connected to 127.0.0.1:{targets.banner} in ")
    assert "connect" in result.timings.as_dict()


def test_the_expected_reply_is_checked(targets):
    assert run(targets.banner, send="EHLO watchkeeper", expect="220 smtp.test").verdict.ok
    missing = run(targets.banner, expect="250 OK")
    assert missing.verdict.reason == f"reply from 127.0.0.1:{targets.banner} lacks '250 OK'"


def test_refused_and_silent_servers_fail_clearly(targets):
    refused = run(targets.closed)
    silent = run(targets.silent, expect="hello", timeout="1s")

    assert refused.verdict.reason == f"connection refused by 127.0.0.1:{targets.closed}"
    assert silent.verdict.reason == f"timed out after 1 s waiting for a reply to 127.0.0.1:{targets.silent}"


def test_a_secret_in_tcp_send_is_sent_as_its_value(raw_server, monkeypatch):
    received: list[bytes] = []

    async def record_a_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.readline())
        writer.write(b"OK\r\n")
        await writer.drain()

    port = raw_server(record_a_line)
    monkeypatch.setenv("REVIEW_TCP_PASSWORD", "tcp-password-5555")

    run(port, send="AUTH ${REVIEW_TCP_PASSWORD}", expect="OK")

    assert received == [b"AUTH tcp-password-5555\r\n"]


def test_an_ipv6_address_is_written_in_brackets(ipv6_closed_port):
    check = TcpCheck(id="t", host="::1", port=ipv6_closed_port)

    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    assert asyncio.run(once()).verdict.reason == f"connection refused by [::1]:{ipv6_closed_port}"

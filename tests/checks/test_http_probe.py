"""The HTTP check against real local servers: each failure is a clear reason within the timeout."""

import asyncio
import json
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from watchkeeper.catalog.checks import check_types
from watchkeeper.checks.context import CLOSE_SECONDS, probe_context
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.checks.http.probe import probe as http_probe
from watchkeeper.domain.observations import HttpObservation
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def run(url: str, **fields: Any) -> CheckResult:
    fields.setdefault("timeout", timedelta(seconds=3))
    return run_check(HttpCheck.model_validate({"id": "t", "url": url, **fields}))


def run_check(check: HttpCheck) -> CheckResult:
    async def once() -> CheckResult:
        async with probe_context() as context:
            return await run_once(check, context, SystemClock())

    return asyncio.run(once())


def test_a_healthy_answer_passes_with_its_timings(targets):
    result = run(targets.http + "/ok", expect={"status": [200], "body_contains": "ok"})

    assert result.verdict.ok
    assert result.verdict.reason.startswith("HTTP 200 in ")
    phases = result.timings.as_dict()
    assert set(phases) >= {"connect", "first_byte", "total"}
    assert phases["connect"] <= phases["first_byte"] <= phases["total"]


def test_https_times_the_name_lookup_tcp_connect_and_tls_handshake_apart(targets):
    result = run(targets.https + "/ok", ca_bundle=str(targets.ca_bundle))

    assert result.verdict.ok, result.verdict.reason
    phases = result.timings.as_dict()
    assert set(phases) == {"dns", "connect", "tls", "first_byte", "total"}
    assert phases["tls"] > 0
    assert phases["dns"] + phases["connect"] + phases["tls"] <= phases["first_byte"] <= phases["total"]


def test_plain_http_to_an_address_has_no_name_lookup_or_tls_phase(targets):
    phases = run(targets.http + "/ok").timings.as_dict()

    assert "tls" not in phases
    assert "dns" not in phases


def test_a_server_that_never_finishes_the_tls_handshake_is_named(targets):
    result = run(f"https://127.0.0.1:{targets.silent}/", timeout="1s")

    assert not result.verdict.ok
    assert result.verdict.reason == "timed out after 1 s during the TLS handshake"


def test_leaving_the_probe_context_closes_a_connection_whose_peer_never_answers_the_close(mute_tls, sockets_to):
    check = HttpCheck.model_validate(
        {"id": "t", "url": f"https://localhost:{mute_tls.port}/", "ca_bundle": mute_tls.ca_bundle}
    )

    async def once() -> tuple[CheckResult, list[str]]:
        async with probe_context() as context:
            result = await run_once(check, context, SystemClock())
        return result, sockets_to(mute_tls.port)  # now, while the loop runs: a loop that ends next closes nothing

    result, still_open = asyncio.run(once())

    assert result.verdict.ok, result.verdict.reason
    assert still_open == []


@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")  # aiohttp's advice, not the point here
def test_a_connection_to_a_peer_that_stopped_reading_is_closed_soon_after_the_probe_gives_up(targets, sockets_to):
    body = "x" * 32_000_000  # more than the machine's socket buffers take, so some waits to be sent
    check = HttpCheck.model_validate(
        {"id": "t", "url": f"http://127.0.0.1:{targets.silent}/", "method": "POST", "body": body, "timeout": "1s"}
    )

    async def once() -> tuple[CheckResult, list[str]]:
        async with probe_context() as context:
            result = await run_once(check, context, SystemClock())
            await asyncio.sleep(CLOSE_SECONDS + 0.5)
            return result, sockets_to(targets.silent)

    result, still_open = asyncio.run(once())

    assert result.verdict.reason.startswith("timed out after 1 s")
    assert still_open == []


def test_a_wrong_status_names_the_status_and_url(targets):
    result = run(targets.http + "/status/503")

    assert not result.verdict.ok
    assert result.verdict.reason == f"HTTP 503 from {targets.http}/status/503"


@pytest.mark.parametrize(
    ("expect", "reason"),
    [
        ({"body_contains": "healthy-and-well"}, "body lacks 'healthy-and-well'"),
        ({"body_not_contains": "ok"}, "body contains 'ok'"),
        ({"body_regex": "^<html"}, "body does not match /^<html/"),
        ({"json": [{"path": "$.database.healthy", "equals": False}]}, "$.database.healthy is true, not false"),
        ({"json": [{"path": "$.count", "lt": 3}]}, "$.count is 5, not < 3"),
        ({"json": [{"path": "$.missing", "exists": True}]}, "$.missing is missing"),
        ({"headers": {"X-Served-By": "t2"}}, "X-Served-By header is 't1', not 't2'"),
    ],
)
def test_expectations_on_the_answer_say_what_differs(targets, expect, reason):
    result = run(targets.http + "/ok", expect=expect)

    assert not result.verdict.ok
    assert result.verdict.reason == reason


def test_json_expectations_that_hold_pass(targets):
    expect = {"json": [{"path": "$.database.healthy", "equals": True}, {"path": "$.count", "ge": 5, "lt": 6}]}

    assert run(targets.http + "/ok", expect=expect).verdict.ok


def test_a_slow_answer_fails_max_response_time(targets):
    result = run(targets.http + "/slow/0.6", expect={"max_response_time": "300ms"})

    assert not result.verdict.ok
    assert result.verdict.reason.startswith("answered in 0.6 s, slower than 0.3 s")


def test_a_server_that_never_answers_times_out_waiting_for_the_first_byte(targets):
    started = time.monotonic()
    result = run(f"http://127.0.0.1:{targets.silent}/", timeout="1s")

    assert time.monotonic() - started < 2.5
    assert result.verdict.reason == "timed out after 1 s waiting for the first byte"


def test_a_server_sending_a_byte_a_second_times_out_reading_the_body(targets):
    started = time.monotonic()
    result = run(targets.http + "/drip", timeout="2s")

    assert time.monotonic() - started < 3.5
    assert result.verdict.reason == "timed out after 2 s reading the body"


def test_an_endless_body_is_read_only_up_to_the_cap(targets):
    started = time.monotonic()
    result = run(targets.http + "/endless", max_body_bytes=100_000, expect={"body_contains": "ok ok"})

    assert result.verdict.ok
    assert time.monotonic() - started < 2.5


def test_redirects_are_followed_and_loops_stopped(targets):
    followed = run(targets.http + "/redirect", expect={"status": [200]})
    looped = run(targets.http + "/loop", max_redirects=3)
    not_followed = run(targets.http + "/redirect", follow_redirects=False, expect={"status": ["3xx"]})

    assert followed.verdict.ok
    assert looped.verdict.reason == f"more than 3 redirects from {targets.http}/loop"
    assert not_followed.verdict.ok


def test_a_refused_connection_is_named(targets):
    result = run(f"http://127.0.0.1:{targets.closed}/")

    assert result.verdict.reason == f"connection refused by 127.0.0.1:{targets.closed}"


def test_garbage_and_resets_are_failures_with_reasons(targets):
    garbage = run(f"http://127.0.0.1:{targets.garbage}/")
    reset = run(f"http://127.0.0.1:{targets.reset}/")

    assert not garbage.verdict.ok
    assert garbage.verdict.reason.startswith("unreadable answer from 127.0.0.1:") or "closed" in garbage.verdict.reason
    assert not reset.verdict.ok
    assert f"127.0.0.1:{targets.reset}" in reset.verdict.reason


def test_https_records_the_certificate(targets):
    result = run(targets.https + "/ok", ca_bundle=targets.ca_bundle)

    assert result.verdict.ok
    assert result.certificate is not None
    assert "localhost" in result.certificate.names
    assert result.certificate.not_after > result.certificate.not_before


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("https", "certificate not trusted: "),
        ("https_expired", "certificate not trusted: certificate has expired"),
        ("https_wrong_host", "certificate not trusted: Hostname mismatch"),
    ],
)
def test_untrusted_certificates_fail_with_the_reason(targets, target, reason):
    bundle = {} if target == "https" else {"ca_bundle": targets.ca_bundle}

    result = run(getattr(targets, target) + "/ok", **bundle)

    assert not result.verdict.ok
    assert result.verdict.reason.startswith(reason)


def test_tls_verification_can_be_switched_off(targets):
    assert run(targets.https_wrong_host + "/ok", verify_tls=False).verdict.ok


def test_a_json_test_read_back_from_the_database_asks_the_same_question(targets):
    """The engine reads each check from its stored definition; `equals: true` must not come back with
    `contains: null` beside it (which would then be tested too)."""
    given = HttpCheck.model_validate(
        {"id": "c", "url": targets.http + "/json", "expect": {"json": [{"path": "$.ok", "equals": True}]}}
    )
    stored = json.loads(json.dumps(given.model_dump(mode="json", by_alias=True)))

    assert stored["expect"]["json"] == [{"path": "$.ok", "equals": True}]
    assert HttpCheck.model_validate(stored) == given


def test_a_secret_in_the_url_is_sent_but_never_put_in_a_reason(targets, monkeypatch):
    monkeypatch.setenv("STATUS_TOKEN", "s3cr3t-t0ken-value")
    monkeypatch.setenv("CLOSED_PORT", str(targets.closed))

    failing = run(targets.http + "/status/503?token=${STATUS_TOKEN}")
    refused = run("http://127.0.0.1:${CLOSED_PORT}/x?token=${STATUS_TOKEN}")

    assert failing.verdict.reason == f"HTTP 503 from {targets.http}/status/503?token=${{STATUS_TOKEN}}"
    assert refused.verdict.reason == "connection refused by 127.0.0.1:${CLOSED_PORT}"
    for result in (failing, refused):
        assert "s3cr3t-t0ken-value" not in json.dumps(result.as_dict())


def test_a_definition_the_probe_cannot_use_fails_with_a_reason_rather_than_no_result(targets):
    result = run(targets.http + "/ok", basic_auth={"username": "a:b", "password": "pw-not-shown"})

    assert not result.verdict.ok
    assert result.verdict.reason.startswith("the check could not run: ValueError: ")
    assert "pw-not-shown" not in result.verdict.reason


def test_a_reason_quoting_what_a_target_sent_is_cut_short(targets):
    wanted = "x" * 5000
    result = run(targets.http + "/ok", expect={"body_contains": wanted})

    assert not result.verdict.ok
    assert result.verdict.reason == "body lacks '" + "x" * 60 + "…'"


REASON_LIMIT = 2_000
"""A generous bound on a stored reason: what people read on a page, not a copy of the target's answer."""


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(bytes(range(1, 256)) * 16)  # 4 KB with no line ending a status line could use
    await writer.drain()
    await asyncio.sleep(0.5)


def test_a_garbage_answer_gives_a_short_reason(raw_server):
    port = raw_server(_garbage)
    check = HttpCheck(id="c", url=f"http://127.0.0.1:{port}/", timeout=timedelta(seconds=3))

    result = run_check(check)

    assert not result.verdict.ok
    assert len(result.verdict.reason) < REASON_LIMIT, f"a reason of {len(result.verdict.reason):,} characters"


def test_a_secret_in_the_url_is_hidden_in_its_url_encoded_forms_too(targets, monkeypatch):
    monkeypatch.setenv("ODD_TOKEN", "s3cr et/Ä+ö&=1234")

    result = run(targets.http + "/status/503?k=${ODD_TOKEN}")

    text = json.dumps(result.as_dict(), ensure_ascii=False)
    for form in ("s3cr et/Ä+ö&=1234", "s3cr+et", "s3cr%20et", "%C3%84"):
        assert form not in text


async def _bad_status_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTQ/9.9 garbage\r\n\r\n")
    await writer.drain()


def test_a_secret_with_special_characters_stays_out_of_the_reason(raw_server, monkeypatch):
    port = raw_server(_bad_status_line)
    monkeypatch.setenv("REVIEW_TOKEN", "s3cr et/Ä+ö&=1234")

    result = run(f"http://127.0.0.1:{port}/p?k=${{REVIEW_TOKEN}}")

    assert not result.verdict.ok
    assert result.verdict.reason.startswith(f"unreadable answer from 127.0.0.1:{port}: Bad status line")
    for form in ("s3cr et", "s3cr+et", "s3cr%20et", "%C3%84"):
        assert form not in result.verdict.reason, f"{form!r} in {result.verdict.reason!r}"


def _redirecting(location: bytes):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        if request.startswith(b"GET /final"):
            writer.write(b"HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    return handle


def test_a_secret_stays_out_of_every_form_the_url_library_prints(raw_server, monkeypatch):
    port = raw_server(_redirecting(b"/final"))
    monkeypatch.setenv("REVIEW_TOKEN", "s3cr et/Ä+ö&=1234")
    check = HttpCheck(id="t", url=f"http://127.0.0.1:{port}/p/${{REVIEW_TOKEN}}?k=${{REVIEW_TOKEN}}")

    async def once() -> HttpObservation:
        async with probe_context() as context:
            return await http_probe(check, context)

    seen = asyncio.run(once())

    assert seen.status == 503
    assert seen.url == check.url
    assert seen.redirects == (check.url,)  # as the catalog writes it, not as yarl prints what was sent
    for form in ("s3cr et", "s3cr+et", "s3cr%20et", "%C3%84", "%C3%B6"):
        assert form not in repr(seen)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        (b"file:///etc/passwd", "redirected to a file: URL, which is not followed"),
        (b"ftp://127.0.0.1/x", "redirected to an ftp: URL, which is not followed"),
        (b"javascript:alert(1)", "redirected to a javascript: URL, which is not followed"),
        (b"http://[::1/x", "redirected to 'http://[::1/x', which is not a URL"),
    ],
)
def test_a_redirect_that_cannot_be_followed_says_where_it_went(raw_server, location, reason):
    port = raw_server(_redirecting(location))

    result = run(f"http://127.0.0.1:{port}/start")

    assert not result.verdict.ok
    assert result.verdict.reason == reason


def _json_answer_handler():  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"x": 1}')
        await writer.drain()

    return handle


CATALOG_ACCEPTED = [
    pytest.param("basic auth user with a colon", {"basic_auth": {"username": "a:b", "password": "p"}}, id="colon"),
    pytest.param("header value with a newline", {"headers": {"X-A": "one\ntwo"}}, id="newline"),
    pytest.param("ca_bundle that does not exist", {"url": "https://127.0.0.1:1/", "ca_bundle": "/nope"}, id="bundle"),
    pytest.param(
        "JSONPath that does not parse", {"expect": {"json": [{"path": "$[?(@.x", "equals": 1}]}}, id="jsonpath"
    ),
    pytest.param("regex that does not compile", {"expect": {"body_regex": "(unclosed"}}, id="regex"),
]


@pytest.mark.parametrize(("what", "fields"), CATALOG_ACCEPTED)
def test_a_check_the_catalog_accepts_either_is_refused_or_fails_with_a_reason(raw_server, what, fields):
    port = raw_server(_json_answer_handler())
    spec = {"id": "c", "url": f"http://127.0.0.1:{port}/", "timeout": timedelta(seconds=2), **fields}
    try:
        check = HttpCheck.model_validate(spec)
    except ValueError:
        return  # refused where the catalog is loaded: `watchkeeper validate` says what is wrong, and where
    result = run_check(check)  # must not raise: the run is a failure with a reason the page can show
    assert not result.verdict.ok, what


def test_an_assessment_that_raises_is_a_failed_result_with_the_reason(targets, monkeypatch):
    def broken(_check: Any, _seen: Any, _now: Any) -> Any:
        raise KeyError("a bug in a check type")

    monkeypatch.setitem(check_types(), "http", replace(check_types()["http"], assess=broken))

    result = run(targets.http + "/ok")

    assert not result.verdict.ok
    assert result.verdict.reason == "the answer could not be assessed: KeyError: 'a bug in a check type'"


def test_a_slow_assessment_ends_within_about_the_check_timeout_whatever_the_load(targets, monkeypatch):
    def sleepy(_check: Any, _seen: Any, _now: Any) -> Any:
        time.sleep(3)  # a check type whose verdict overruns; a regex's own limit counts processor time, not this
        raise AssertionError("not waited for")

    http = check_types()["http"]
    monkeypatch.setitem(check_types(), "http", replace(http, assess=sleepy, slow_to_assess=lambda _c, _s: True))
    started = time.monotonic()

    result = run(targets.http + "/ok", timeout="1s")

    assert time.monotonic() - started < 2.5
    assert result.verdict.reason == "took longer than the check's 1 s timeout to assess the answer"

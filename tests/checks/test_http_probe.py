"""The HTTP check against real local servers: each failure is a clear reason within the timeout."""

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import pytest

from watchkeeper.checks.context import probe_context
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.services.check_once import CheckResult, run_once
from watchkeeper.services.clock import SystemClock


def run(url: str, **fields: Any) -> CheckResult:
    fields.setdefault("timeout", timedelta(seconds=3))
    check = HttpCheck.model_validate({"id": "t", "url": url, **fields})

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
    check = HttpCheck.model_validate({"id": "t", "url": f"https://127.0.0.1:{targets.silent}/", "timeout": "1s"})

    async def once() -> CheckResult:
        async with probe_context() as context:
            result = await run_once(check, context, SystemClock())
        await asyncio.sleep(1)  # the abandoned handshake's socket closes after its short TLS shutdown wait
        return result

    result = asyncio.run(once())

    assert not result.verdict.ok
    assert result.verdict.reason == "timed out after 1 s during the TLS handshake"


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


def test_a_secret_in_the_url_is_hidden_in_its_url_encoded_forms_too(targets, monkeypatch):
    monkeypatch.setenv("ODD_TOKEN", "s3cr et/Ä+ö&=1234")

    result = run(targets.http + "/status/503?k=${ODD_TOKEN}")

    text = json.dumps(result.as_dict(), ensure_ascii=False)
    for form in ("s3cr et/Ä+ö&=1234", "s3cr+et", "s3cr%20et", "%C3%84"):
        assert form not in text

"""The HTTP verdict on its own (no network): time limits on what a target's answer can make expensive, and
reasons that quote the answer only in part."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from watchkeeper.checks.http.assess import assess, regex_budget, slow_to_assess
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.domain.observations import HttpObservation, Timings

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
RUNAWAY = r"(?:ok )+y"
"""Backtracks over every start position of a long "ok ok ok" body: hours on a 1 MB body, with `re` or `regex`."""


def check(expect: dict[str, Any], timeout: float = 10.0) -> HttpCheck:
    return HttpCheck(id="c", url="http://127.0.0.1/", timeout=timedelta(seconds=timeout), expect=expect)


def answer(body: bytes, total_ms: float = 1.0, **fields: Any) -> HttpObservation:
    return HttpObservation(url="http://127.0.0.1/", status=200, body=body, timings=Timings(total=total_ms), **fields)


@pytest.mark.parametrize(
    ("pattern", "body", "reason"),
    [
        (RUNAWAY, b"ok " * 40_000, "body_regex took longer than 1 s, the check's timeout, to match"),
        (r"(\w+\s?)+$", b"A" * 25 + b"!", "body does not match /(\\w+\\s?)+$/"),  # the review's: `re` took 3 s
    ],
)
def test_body_regex_is_bounded_by_the_check_timeout(pattern, body, reason):
    started_cpu, started = time.process_time(), time.perf_counter()

    verdict = assess(check({"body_regex": pattern}, timeout=1), answer(body), T0)

    cpu = time.process_time() - started_cpu
    assert not verdict.ok
    assert verdict.reason == reason
    # The limit counts processor time, which a loaded machine hands out slower than the wall clock runs.
    assert cpu < 1.5, f"assess used {cpu:.1f} s of processor time for a check whose timeout is 1 s"
    assert time.perf_counter() - started < 10


def test_a_regex_gets_what_the_request_left_of_the_timeout_but_never_nothing():
    slow = check({"body_regex": "ok"}, timeout=2)

    assert regex_budget(slow, answer(b"", total_ms=500)) == pytest.approx(1.5)
    assert regex_budget(slow, answer(b"", total_ms=2_500)) == pytest.approx(0.1)


def test_a_regex_that_finishes_in_time_decides_as_before():
    assert assess(check({"body_regex": r"ok\s+ok"}), answer(b"ok ok"), T0).ok
    failed = assess(check({"body_regex": "^<html"}), answer(b"ok", body_truncated=True), T0)
    assert failed.reason == "body does not match /^<html/ (in the part read)"


@pytest.mark.parametrize(
    ("expect", "body", "slow"),
    [
        ({"body_regex": "ok"}, b"ok", True),  # even a short body: the pattern decides the cost
        ({"json": [{"path": "$.x", "exists": True}]}, b'{"x": 1}', False),
        ({"json": [{"path": "$..x", "exists": True}]}, b'{"x": "' + b"a" * 40_000 + b'"}', True),
        ({"body_contains": "ok"}, b"ok " * 300_000, False),
        ({"body_contains": "ok"}, b"ok " * 400_000, True),  # over 1 MiB: read under a raised max_body_bytes
        ({}, b"", False),
    ],
)
def test_assessments_that_may_take_long_are_named_so_they_run_off_the_event_loop(expect, body, slow):
    assert slow_to_assess(check(expect), answer(body)) is slow


def test_a_json_mismatch_reason_is_short_however_long_the_value():
    expect = {"json": [{"path": "$.x", "equals": "B"}]}
    body = b'{"x": "' + b"A" * 1_000_000 + b'"}'

    verdict = assess(check(expect), answer(body), T0)

    assert not verdict.ok
    assert verdict.reason == '$.x is "' + "A" * 60 + '…", not "B"'


@pytest.mark.parametrize(
    ("expect", "body", "headers", "reason"),
    [
        (
            {"json": [{"path": "$.x", "lt": 3}]},
            b'{"x": [' + b"1, " * 10_000 + b"1]}",
            (),
            "$.x is [" + "1, " * 19 + "1,…, not a number",
        ),
        (
            {"json": [{"path": "$.x", "not_equals": {"a": "b"}}]},
            b'{"x": {"a": "b"}}',
            (),
            '$.x is {"a": "b"}',
        ),
        ({"headers": {"X-A": "b"}}, b"", (("X-A", "v" * 10_000),), "X-A header is '" + "v" * 60 + "…', not 'b'"),
    ],
)
def test_reasons_quote_what_the_target_sent_only_in_part(expect, body, headers, reason):
    verdict = assess(check(expect), answer(body, headers=headers), T0)

    assert not verdict.ok
    assert verdict.reason == reason


def test_a_stored_path_that_does_not_parse_fails_the_run_with_a_reason():
    """The catalog refuses such a path; a definition stored before it did is read back without validation."""
    stored = check({"json": [{"path": "$.x", "exists": True}]})
    broken = stored.expect.json_[0].model_copy(update={"path": "$[?(@.x"})
    unchecked = stored.model_copy(update={"expect": stored.expect.model_copy(update={"json_": [broken]})})

    verdict = assess(unchecked, answer(b'{"x": 1}'), T0)

    assert not verdict.ok
    assert verdict.reason.startswith("$[?(@.x cannot be evaluated: ")


def test_json_nested_beyond_reading_is_a_failed_check_not_an_error():
    verdict = assess(check({"json": [{"path": "$.x", "exists": True}]}), answer(b"[" * 100_000), T0)

    assert not verdict.ok
    assert verdict.reason == "body is JSON nested too deeply to read"

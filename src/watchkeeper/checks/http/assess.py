"""Whether an HTTP observation passes its check. Pure: no I/O, and `now` comes in as an argument."""

import json
import re
from datetime import datetime, timedelta
from typing import Any

import jsonpath

from watchkeeper.checks.http.config import HttpCheck, JsonAssertion, StatusSpec
from watchkeeper.domain.observations import HttpObservation, Verdict


def assess(check: HttpCheck, seen: HttpObservation, now: datetime) -> Verdict:
    if seen.failure is not None:
        return Verdict(False, seen.failure.message)
    assert seen.status is not None  # a probe without a failure got a response
    expect = check.expect
    if not any(_status_matches(seen.status, spec) for spec in expect.status):
        return Verdict(False, f"HTTP {seen.status} from {seen.url}")
    total = seen.timings.total or 0.0
    if expect.max_response_time is not None and total > expect.max_response_time / timedelta(milliseconds=1):
        limit = _seconds(expect.max_response_time)
        return Verdict(False, f"answered in {total / 1000:.1f} s, slower than {limit}")
    problem = _body_problem(check, seen) or _header_problem(check, seen)
    if problem:
        return Verdict(False, problem)
    return Verdict(True, f"HTTP {seen.status} in {total:.0f} ms")


def _status_matches(status: int, spec: StatusSpec) -> bool:
    if isinstance(spec, int):
        return status == spec
    if spec.endswith("xx"):
        return status // 100 == int(spec[0])
    low, _, high = spec.partition("-")
    return int(low) <= status <= int(high)


def _texts(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else value


def _body_problem(check: HttpCheck, seen: HttpObservation) -> str | None:
    expect = check.expect
    body = seen.body.decode("utf-8", errors="replace")
    cut = " (in the part read)" if seen.body_truncated else ""
    for text in _texts(expect.body_contains):
        if text not in body:
            return f"body lacks {text!r}{cut}"
    for text in _texts(expect.body_not_contains):
        if text in body:
            return f"body contains {text!r}"
    if expect.body_regex is not None and re.search(expect.body_regex, body) is None:
        return f"body does not match /{expect.body_regex}/{cut}"
    if expect.json_:
        try:
            document = json.loads(body)
        except ValueError:
            return "body is not JSON" + (" (it was cut at the size limit)" if seen.body_truncated else "")
        for assertion in expect.json_:
            failed = _json_problem(assertion, document)
            if failed:
                return failed
    return None


def _json_problem(assertion: JsonAssertion, document: Any) -> str | None:
    found = jsonpath.findall(assertion.path, document)
    given = assertion.model_fields_set
    if assertion.exists is not None and bool(found) != assertion.exists:
        return f"{assertion.path} is {'missing' if assertion.exists else 'present'}"
    if not found:
        return None if assertion.exists is False else f"{assertion.path} is missing"
    value = found[0]
    if "equals" in given and value != assertion.equals:
        return f"{assertion.path} is {json.dumps(value)}, not {json.dumps(assertion.equals)}"
    if "not_equals" in given and value == assertion.not_equals:
        return f"{assertion.path} is {json.dumps(value)}"
    if "contains" in given and not _contains(value, assertion.contains):
        return f"{assertion.path} does not contain {json.dumps(assertion.contains)}"
    return _comparison_problem(assertion, value)


def _contains(value: Any, wanted: Any) -> bool:
    if isinstance(value, str | list | dict):
        return wanted in value
    return False


def _comparison_problem(assertion: JsonAssertion, value: Any) -> str | None:
    bounds = (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="))
    for name, symbol in bounds:
        limit = getattr(assertion, name)
        if limit is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"{assertion.path} is {json.dumps(value)}, not a number"
        holds = {"lt": value < limit, "le": value <= limit, "gt": value > limit, "ge": value >= limit}[name]
        if not holds:
            return f"{assertion.path} is {value}, not {symbol} {limit:g}"
    return None


def _header_problem(check: HttpCheck, seen: HttpObservation) -> str | None:
    for name, wanted in check.expect.headers.items():
        actual = seen.header(name)
        if actual is None:
            return f"no {name} header"
        if actual != wanted:
            return f"{name} header is {actual!r}, not {wanted!r}"
    return None


def _seconds(value: timedelta) -> str:
    seconds = value.total_seconds()
    return f"{seconds:g} s"

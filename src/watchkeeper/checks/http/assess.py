"""Whether an HTTP observation passes its check. Pure: no I/O, and `now` comes in as an argument.

A target chooses what it sends, so every piece of its answer quoted in a reason is shortened (`excerpt`), and the
one step whose cost the answer can blow up, a regular expression, runs with a time limit (see `regex_budget`)."""

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import jsonpath
import regex

from watchkeeper.checks.http.config import HttpCheck, JsonAssertion, StatusSpec
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.excerpts import excerpt, quoted
from watchkeeper.domain.observations import HttpObservation, Verdict

MIN_MATCH_SECONDS = 0.1
"""The least time a body_regex gets, even when the request itself took all of the check's timeout."""

LARGE_JSON_BYTES = 32 * 1024
"""A JSON body above this is parsed and searched off the event loop: a `$..name` path over a 1 MB document
takes a quarter of a second here."""

LARGE_BODY_BYTES = 1024 * 1024
"""Any body above this (the default max_body_bytes) is assessed off the event loop: decoding and searching a
body read under a raised cap grows with it."""


def assess(check: HttpCheck, seen: HttpObservation, now: datetime) -> Verdict:
    if seen.failure is not None:
        return Verdict(False, seen.failure.message)
    assert seen.status is not None  # a probe without a failure got a response
    expect = check.expect
    if not any(_status_matches(seen.status, spec) for spec in expect.status):
        return Verdict(False, f"HTTP {seen.status} from {seen.url}")
    total = seen.timings.total or 0.0
    if expect.max_response_time is not None and total > expect.max_response_time / timedelta(milliseconds=1):
        limit = readable_duration(expect.max_response_time)
        return Verdict(False, f"answered in {total / 1000:.1f} s, slower than {limit}")
    problem = _body_problem(check, seen) or _header_problem(check, seen)
    if problem:
        return Verdict(False, problem)
    return Verdict(True, f"HTTP {seen.status} in {total:.0f} ms")


def slow_to_assess(check: HttpCheck, seen: HttpObservation) -> bool:
    """Whether assessing may take long enough to hold up other checks: a regular expression (its cost depends on
    the pattern and the body, so even a short body can take its whole time limit), a large JSON body, or any
    body larger than the default cap."""
    if seen.failure is not None:
        return False
    expect, size = check.expect, len(seen.body)
    return expect.body_regex is not None or (bool(expect.json_) and size > LARGE_JSON_BYTES) or size > LARGE_BODY_BYTES


def regex_budget(check: HttpCheck, seen: HttpObservation) -> float:
    """Seconds a body_regex may run: what the request left of the check's timeout, so that the run as a whole
    ends within it, but at least MIN_MATCH_SECONDS."""
    spent = (seen.timings.total or 0.0) / 1000
    return max(check.timeout.total_seconds() - spent, MIN_MATCH_SECONDS)


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
            return f"body lacks {quoted(text)}{cut}"
    for text in _texts(expect.body_not_contains):
        if text in body:
            return f"body contains {quoted(text)}"
    if expect.body_regex is not None:
        problem = _regex_problem(expect.body_regex, body, check, seen)
        if problem:
            return problem
    if expect.json_:
        return _json_body_problem(expect.json_, body, seen.body_truncated)
    return None


def _regex_problem(pattern: str, body: str, check: HttpCheck, seen: HttpObservation) -> str | None:
    # `regex` rather than `re`: the same syntax, but a search can be given a time limit (and it lets go of the
    # interpreter lock while it runs), so a pattern that backtracks without end fails this check, not the engine.
    try:
        found = regex.search(pattern, body, timeout=regex_budget(check, seen))
    except TimeoutError:
        return f"body_regex took longer than {readable_duration(check.timeout)}, the check's timeout, to match"
    except regex.error as error:  # the catalog refuses such a pattern; a definition stored earlier may hold one
        return f"body_regex cannot be used: {excerpt(str(error))}"
    if found is None:
        return f"body does not match /{excerpt(pattern)}/" + (" (in the part read)" if seen.body_truncated else "")
    return None


def _json_body_problem(assertions: list[JsonAssertion], body: str, truncated: bool) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return "body is not JSON" + (" (it was cut at the size limit)" if truncated else "")
    except RecursionError:  # `[[[[...` a hundred thousand deep
        return "body is JSON nested too deeply to read"
    for assertion in assertions:
        failed = _json_problem(assertion, document)
        if failed:
            return failed
    return None


@lru_cache(maxsize=1024)
def _compiled(path: str) -> Any:
    return jsonpath.compile(path)


def _json_problem(assertion: JsonAssertion, document: Any) -> str | None:
    path = excerpt(assertion.path)
    try:
        match = _compiled(assertion.path).match(document)
    except jsonpath.JSONPathError as error:  # the catalog refuses paths that do not parse; this is the rest
        return f"{path} cannot be evaluated: {excerpt(str(error).splitlines()[0] if str(error) else '')}"
    given = assertion.model_fields_set
    if assertion.exists is not None and (match is not None) != assertion.exists:
        return f"{path} is {'missing' if assertion.exists else 'present'}"
    if match is None:
        return None if assertion.exists is False else f"{path} is missing"
    value = match.obj
    if "equals" in given and value != assertion.equals:
        return f"{path} is {_json(value)}, not {_json(assertion.equals)}"
    if "not_equals" in given and value == assertion.not_equals:
        return f"{path} is {_json(value)}"
    if "contains" in given and not _contains(value, assertion.contains):
        return f"{path} does not contain {_json(assertion.contains)}"
    return _comparison_problem(assertion, path, value)


def _json(value: Any) -> str:
    """A JSON value written as JSON and shortened; a string is cut before it is written, so it keeps its quotes."""
    if isinstance(value, str):
        return json.dumps(excerpt(value), ensure_ascii=False)
    return excerpt(json.dumps(value, ensure_ascii=False))


def _contains(value: Any, wanted: Any) -> bool:
    if isinstance(value, str | list | dict):
        return wanted in value
    return False


def _comparison_problem(assertion: JsonAssertion, path: str, value: Any) -> str | None:
    bounds = (("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="))
    for name, symbol in bounds:
        limit = getattr(assertion, name)
        if limit is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"{path} is {_json(value)}, not a number"
        holds = {"lt": value < limit, "le": value <= limit, "gt": value > limit, "ge": value >= limit}[name]
        if not holds:
            return f"{path} is {excerpt(str(value))}, not {symbol} {limit:g}"
    return None


def _header_problem(check: HttpCheck, seen: HttpObservation) -> str | None:
    for name, wanted in check.expect.headers.items():
        actual = seen.header(name)
        if actual is None:
            return f"no {name} header"
        if actual != wanted:
            return f"{name} header is {quoted(actual)}, not {quoted(wanted)}"
    return None

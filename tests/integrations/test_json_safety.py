"""Hostile bodies: whatever is posted becomes storable JSON or a clear refusal, never an exception."""

import pytest

from watchkeeper.integrations import BadPayload
from watchkeeper.integrations.payloads import MAX_DEPTH, MAX_PROBLEMS, at, load_json


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the body is empty: send a JSON document"),
        (b"  \n", "the body is empty: send a JSON document"),
        (b"\xff\xfe\xfa{}", "the body is not UTF-8 text"),
        (b'{"a": 1', "the body is not JSON: Expecting ',' delimiter at line 1 column 8"),
        (b'{"a": NaN}', "the body is not JSON: NaN is not a JSON number"),
        (b"[Infinity]", "the body is not JSON: Infinity is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)"),
        (
            b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
            f"the JSON is nested too deeply (at most {MAX_DEPTH} levels)",
        ),
    ],
)
def test_unreadable_bodies_are_refused_with_the_reason(body, reason):
    with pytest.raises(BadPayload) as refused:
        load_json(body)

    assert refused.value.reason == reason


def test_nul_and_lone_surrogates_are_replaced_so_every_backend_can_store_the_text():
    document = load_json(b'{"a\\u0000": ["x\\u0000y", "\\ud800z"], "ok": "caf\\u00e9"}')

    assert document == {"a\ufffd": ["x\ufffdy", "\ufffdz"], "ok": "café"}


def test_nesting_up_to_the_limit_is_read():
    body = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH

    assert load_json(body) is not None


def test_paths_read_as_written():
    assert at("", "alerts") == "alerts"
    assert at(at("alerts", 2), "labels") == "alerts[2].labels"
    assert at("custom_details", "free space") == 'custom_details["free space"]'


def test_numbers_beyond_a_double_are_refused_each_with_its_path():
    body = b'{"details": {"rows": 1e400, "free space": [1.5, -2E+999]}, "ok": 1.7e308, "big": 1' + b"0" * 400 + b"}"

    with pytest.raises(BadPayload) as refused:
        load_json(body)

    assert refused.value.reason == "the body holds a number too large to store"
    assert refused.value.errors == (
        "details.rows: 1e400 is too large a number (a double holds up to about 1.8e308)",
        'details["free space"][1]: -2E+999 is too large a number (a double holds up to about 1.8e308)',
    )


def test_a_body_that_is_only_a_huge_number_is_refused_and_at_most_twenty_are_listed():
    with pytest.raises(BadPayload) as alone:
        load_json(b"1e400")
    with pytest.raises(BadPayload) as many:
        load_json(b"[" + b",".join([b"1e400"] * 50) + b"]")

    assert alone.value.errors == ("the body: 1e400 is too large a number (a double holds up to about 1.8e308)",)
    assert len(many.value.errors) == MAX_PROBLEMS
    assert many.value.errors[0].startswith("[0]: 1e400")


def test_numbers_a_double_holds_are_read_as_they_were():
    assert load_json(b'{"a": 1.7976931348623157e308, "b": -5e-324, "c": 0.1, "d": 12}') == {
        "a": 1.7976931348623157e308,
        "b": -5e-324,
        "c": 0.1,
        "d": 12,
    }

"""Hostile bodies: whatever is posted becomes storable JSON or a clear refusal, never an exception."""

import pytest

from watchkeeper.integrations import BadPayload
from watchkeeper.integrations.payloads import MAX_DEPTH, at, load_json


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

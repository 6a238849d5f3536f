"""An export that is not one Watchkeeper can read: every problem reported at once, each with its JSON location."""

from typing import Any

import pytest
from pingdom_exports import one_check, run_import

from watchkeeper.importers.problems import ExportInvalid


def problems_in(data: Any) -> list[str]:
    with pytest.raises(ExportInvalid) as invalid:
        run_import(data)
    return [str(problem) for problem in invalid.value.problems]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (42, "(top level): not a Pingdom checks export: expected"),
        ({"monitors": []}, "(top level): not a Pingdom checks export: expected"),
        ({"checks": {"id": 1}}, "checks: expected a list of checks, found an object"),
        (
            {"checks": [{"id": 1, "name": "a", "hostname": "a.example.org", "type": "http"}, "b"]},
            "checks[1]: expected a check object, found text",
        ),
        ([[1]], "[0]: expected a check object, found a list"),
    ],
)
def test_a_document_of_the_wrong_shape_says_what_was_expected(data: Any, expected: str) -> None:
    [problem] = problems_in(data)

    assert problem.startswith(expected)


def test_a_saved_pingdom_error_response_is_recognised() -> None:
    error = {"error": {"statuscode": 403, "statusdesc": "Forbidden", "errormessage": "Invalid token"}}

    assert problems_in(error) == [
        "(top level): this is a Pingdom error response, not checks (403: Forbidden: Invalid token): export again"
    ]


def test_missing_fields_are_named_at_the_check() -> None:
    assert problems_in({"checks": [{"hostname": "a.example.org"}]}) == [
        "checks[0]: 'id' is missing",
        "checks[0]: 'name' is missing",
        "checks[0]: 'type' is missing",
    ]


def test_an_unknown_type_name_or_object_is_reported_with_a_suggestion() -> None:
    export = {
        "checks": [
            {"id": 1, "name": "a", "type": "htp"},
            {"id": 2, "name": "b", "type": {"htpp": {}}},
            {"id": 3, "name": "c", "type": {"http": {}, "tcp": {}}},
            {"id": 4, "name": "d", "type": {"zzz": {}}},
        ]
    }

    assert problems_in(export) == [
        "checks[0].type: unknown Pingdom check type 'htp' (did you mean 'http'?)",
        "checks[1].type.htpp: unknown Pingdom check type 'htpp' (did you mean 'http'?)",
        'checks[2].type: expected one check type such as {"http": {...}}, found http, tcp',
        "checks[3].type.zzz: unknown Pingdom check type 'zzz' (Pingdom's types are http, httpcustom, tcp, ping, "
        "dns, udp, smtp, pop3, imap, transaction, script, recording)",
    ]


def test_fields_of_the_wrong_kind_are_reported_where_they_are() -> None:
    export = [
        {"check": {"id": 1, "name": "tcp", "hostname": "h.example.org", "type": {"tcp": {"port": "ssh"}}}},
        {"check": {"id": 2, "name": "tcp", "hostname": "h.example.org", "type": {"tcp": {"port": 70000}}}},
        {"check": {"id": 3, "name": "tcp", "hostname": "h.example.org", "type": {"tcp": {}}}},
        {"check": {"id": 4, "name": "web", "hostname": "h.example.org", "type": {"http": {"encryption": "maybe"}}}},
        {"check": {"id": 5, "name": "web", "type": {"http": {}}}},
        {"check": {"id": 6, "name": ["web"], "type": "http"}},
    ]

    assert problems_in(export) == [
        "[0].check.type.tcp.port: expected a whole number, found text 'ssh'",
        "[1].check.type.tcp.port: 70000 is out of range: expected from 1 to 65535",
        "[2].check.type.tcp: 'port' is missing",
        "[3].check.type.http.encryption: expected true or false, found text 'maybe'",
        "[4].check: 'hostname' is missing",
        "[5].check.name: expected text, found a list",
    ]


def test_a_resolution_that_is_no_interval_is_reported() -> None:
    assert problems_in(one_check(resolution=0)) == ["check.resolution: 0 is out of range: expected at least 1"]


@pytest.mark.parametrize(("resolution", "minutes"), [(61, 61), (100_000, 100_000), ("100000", 100_000)])
def test_a_resolution_longer_than_pingdom_allows_is_refused_rather_than_made_an_interval(
    resolution: Any, minutes: int
) -> None:
    assert problems_in(one_check(resolution=resolution)) == [
        f"check.resolution: {minutes} minutes is not a Pingdom resolution: Pingdom runs checks every 1, 5, 15, 30 "
        "or 60 minutes"
    ]


def test_the_longest_pingdom_resolution_is_an_hour() -> None:
    assert "interval: 1h" in run_import(one_check(resolution=60)).yaml


def test_request_headers_of_the_wrong_shape_are_reported() -> None:
    headers = ["X-Ok: yes", "no colon here", 7]
    mapping = {"X-Count": 3}

    assert problems_in(one_check(type={"http": {"requestheaders": headers}})) == [
        'check.type.http.requestheaders[1]: expected a "Name: value" header line, found text',
        'check.type.http.requestheaders[2]: expected a "Name: value" header line, found a number',
    ]
    assert problems_in(one_check(type={"http": {"requestheaders": mapping}})) == [
        'check.type.http.requestheaders["X-Count"]: expected a header name and text value, found a number'
    ]
    assert problems_in(one_check(type={"http": {"requestheaders": "X-A: b"}})) == [
        "check.type.http.requestheaders: expected an object or a list of headers, found text"
    ]


def test_a_check_listed_twice_is_reported_at_the_second_place() -> None:
    check = {"id": 77, "name": "a", "hostname": "a.example.org", "type": "http"}

    assert problems_in({"checks": [check, dict(check)]}) == ["checks[1].id: check 77 is also at checks[0]"]


def test_tags_that_are_not_names_are_reported() -> None:
    assert problems_in(one_check(tags=[{"type": "u"}])) == ['check.tags[0]: expected a tag name or {"name": ...}']
    assert problems_in(one_check(tags=5)) == ["check.tags: expected a list of tags, found a number"]


def test_problems_in_many_checks_are_reported_together() -> None:
    export = {"checks": [{"id": "x", "name": "a", "type": "http"}, {"id": 2, "name": "b", "type": "ftp"}]}

    problems = problems_in(export)

    assert len(problems) == 2
    assert [problem.split(":")[0] for problem in problems] == ["checks[0].id", "checks[1].type"]

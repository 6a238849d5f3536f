"""How single Pingdom settings map: skipped types, ids, credentials, notes, and checks the catalog would refuse."""

from typing import Any

import pytest
from pingdom_exports import LoadFragment, checks_of, fixture_export, one_check, run_import

from watchkeeper.importers.ids import slug, unique_ids


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("ping", "no ICMP ping check"),
        ("udp", "no UDP check"),
        ("smtp", "no SMTP check"),
        ("pop3", "no POP3 check"),
        ("imap", "no IMAP check"),
        ("httpcustom", "XML status format"),
        ("transaction", "browser steps"),
    ],
)
def test_a_type_watchkeeper_cannot_run_is_skipped_with_its_reason(kind: str, reason: str) -> None:
    result = run_import(one_check(name="Thing", type={kind: {"port": 25}}))

    [skipped] = result.skipped
    assert (skipped.pingdom_id, skipped.kind, skipped.location) == (4242, kind, "check")
    assert reason in skipped.reason
    assert skipped.line().startswith(f'Pingdom check 4242 "Thing" ({kind}) at check: ')
    assert result.imported == []
    assert reason in result.yaml  # the fragment's header lists it too, for the reviewer


def test_every_check_is_either_imported_or_skipped() -> None:
    export = fixture_export("pingdom-checks-detailed.json")

    result = run_import(export)

    accounted = [c.pingdom_id for c in result.imported] + [s.pingdom_id for s in result.skipped]
    assert sorted(accounted) == sorted(check["id"] for check in export["checks"])


def test_ids_of_checks_with_the_same_name_carry_their_pingdom_ids_whatever_the_order() -> None:
    first = {"id": 11, "name": "Home page", "hostname": "a.example.org", "type": "http"}
    second = {"id": 22, "name": "Home  Page!", "hostname": "b.example.org", "type": "http"}

    forwards = run_import({"checks": [first, second]})
    backwards = run_import({"checks": [second, first]})

    assert {c.pingdom_id: c.checks for c in forwards.imported} == {11: ("home-page-11",), 22: ("home-page-22",)}
    assert {c.pingdom_id: c.checks for c in backwards.imported} == {11: ("home-page-11",), 22: ("home-page-22",)}
    assert {c.pingdom_id: c.service for c in forwards.imported} == {11: "home-page-11", 22: "home-page-22"}


def test_a_name_without_latin_letters_gets_an_id_from_its_pingdom_id() -> None:
    result = run_import(one_check(name="東京 ステータス"))

    assert result.imported[0].checks == ("pingdom-4242",)


def test_ids_are_at_most_63_characters_even_with_a_suffix() -> None:
    long_name = "Very long check name " * 6
    result = run_import(one_check(name=long_name, type={"http": {"encryption": True, "ssl_down_days_before": 5}}))

    [imported] = result.imported
    assert [len(ident) for ident in imported.checks] == [62, 63]
    assert imported.checks[1].endswith("-certificate")


def test_unique_ids_resolve_a_clash_that_a_suffix_creates() -> None:
    assert unique_ids([("web", "1"), ("web", "2"), ("web-1", "3")]) == ["web-1-1", "web-2", "web-1-3"]
    assert len(set(unique_ids([("web", "1"), ("web", "1"), ("web-1", "1")]))) == 3
    assert slug("Shop – Checkout (EU)", "x") == "shop-checkout-eu"
    assert slug("---", "fallback") == "fallback"


def test_the_first_tag_groups_checks_and_untagged_checks_stand_alone() -> None:
    export = {
        "checks": [
            {"id": 1, "name": "Shop", "hostname": "shop.example.org", "type": "http", "tags": ["shop", "prod"]},
            {"id": 2, "name": "Basket", "hostname": "shop.example.org", "type": "http", "tags": "shop,prod"},
            {"id": 3, "name": "shop", "hostname": "old.example.org", "type": "http"},
        ]
    }

    result = run_import(export, group_by="tag")

    assert [(c.pingdom_id, c.service) for c in result.imported] == [(1, "shop-tag"), (2, "shop-tag"), (3, "shop-3")]
    assert '  # Pingdom tag "shop"\n  - id: shop-tag\n' in result.yaml


def test_tags_in_other_scripts_make_services_of_their_own() -> None:
    export = {
        "checks": [
            {"id": 1, "name": "A", "hostname": "a.example.org", "type": "http", "tags": ["決済"]},
            {"id": 2, "name": "B", "hostname": "b.example.org", "type": "http", "tags": ["検索"]},
            {"id": 3, "name": "C", "hostname": "c.example.org", "type": "http", "tags": ["Web"]},
            {"id": 4, "name": "D", "hostname": "d.example.org", "type": "http", "tags": ["web"]},
        ]
    }

    result = run_import(export, group_by="tag")

    assert [c.service for c in result.imported] == ["pingdom-tag-1", "pingdom-tag-2", "web", "web"]


def test_a_credential_in_a_json_body_becomes_a_reference() -> None:
    http = {"encryption": True, "postdata": '{"user": "probe", "api_token": "t-123", "note": "hi"}'}

    result = run_import(one_check(type={"http": http}))

    assert "t-123" not in result.yaml
    assert '{"user":"probe","api_token":"${PINGDOM_4242_BODY_API_TOKEN}","note":"hi"}' in result.yaml
    assert [s.name for s in result.secrets] == ["PINGDOM_4242_BODY_API_TOKEN"]


def test_a_body_that_mentions_a_credential_but_cannot_be_parsed_becomes_one_secret() -> None:
    http = {"encryption": True, "postdata": "<login><password>hunter2</password></login>"}

    result = run_import(one_check(type={"http": http}))

    assert "hunter2" not in result.yaml
    assert "body: ${PINGDOM_4242_BODY}" in result.yaml
    assert "the whole POST body" in result.secrets[0].what


def test_a_body_without_credentials_is_copied_as_it_is() -> None:
    result = run_import(one_check(type={"http": {"postdata": "q=status&lang=en"}}))

    assert "body: q=status&lang=en" in result.yaml
    assert result.secrets == []


def test_a_username_without_a_password_still_needs_the_secret() -> None:
    result = run_import(one_check(type={"http": {"encryption": True, "username": "monitor"}}))

    [secret] = result.secrets
    assert (secret.name, secret.in_export, secret.location) == (
        "PINGDOM_4242_PASSWORD",
        False,
        "check.type.http.password",
    )
    assert "password: ${PINGDOM_4242_PASSWORD}" in result.yaml


@pytest.mark.parametrize(
    "http",
    [
        {"encryption": True, "verify_certificate": False, "ssl_down_days_before": 10},
        {"encryption": False, "ssl_down_days_before": 10},
        {"encryption": True, "ssl_down_days_before": 0},
    ],
)
def test_no_certificate_check_when_pingdom_would_not_have_watched_expiry(http: dict[str, Any]) -> None:
    result = run_import(one_check(type={"http": http}))

    assert result.imported[0].checks == ("probe",)


def test_the_certificate_check_uses_the_http_port_and_keeps_paused_and_severity(load_fragment: LoadFragment) -> None:
    http = {"encryption": True, "port": 8443, "ssl_down_days_before": 30}

    checks: Any = checks_of(
        load_fragment(run_import(one_check(paused=True, severity_level="low", type={"http": http})))
    )

    certificate = checks["probe-certificate"]
    assert (certificate.port, certificate.paused, certificate.severity) == (8443, True, "ticket")


def test_a_check_the_catalog_would_refuse_is_skipped_with_the_catalogs_reason() -> None:
    result = run_import(one_check(hostname="bad host name"))

    [skipped] = result.skipped
    assert skipped.reason.startswith("the catalog refuses it: url: ")
    assert "is not an http:// or https:// URL" in skipped.reason
    assert "bad host name" not in result.yaml.split("services:")[1]


def test_text_with_control_characters_is_skipped_rather_than_written() -> None:
    result = run_import(one_check(type={"http": {"shouldcontain": "ok\u0000"}}))

    [skipped] = result.skipped
    assert skipped.reason.startswith("expect.body_contains holds a control character")


def test_line_breaks_inside_a_string_to_send_come_across(load_fragment: LoadFragment) -> None:
    tcp = {"port": 80, "stringtosend": "HEAD / HTTP/1.0\r\nHost: app.example.org\r\n\r\n", "stringtoexpect": "200"}

    checks: Any = checks_of(load_fragment(run_import(one_check(type={"tcp": tcp}))))

    # The probe ends what it sends with \r\n itself, so the last one is not doubled.
    assert checks["probe"].send == "HEAD / HTTP/1.0\r\nHost: app.example.org\r\n"


def test_pingdom_defaults_and_odd_values_are_read_as_pingdom_meant_them() -> None:
    check = one_check(resolution=None, paused="true", ipv6=True, responsetime_threshold=True, severity_level="urgent")

    result = run_import(check)

    assert "interval: 5m" in result.yaml  # Pingdom's default resolution
    assert "paused: true" in result.yaml
    assert "max_response_time" not in result.yaml
    assert [note.message.split(";")[0].split(",")[0] for note in result.notes] == [
        "severity level 'urgent' is not HIGH or LOW",
        "Pingdom probed over IPv6",
    ]


def test_a_url_path_with_spaces_is_escaped_and_an_ipv6_host_bracketed() -> None:
    result = run_import(one_check(hostname="2001:db8::7", type={"http": {"url": "status page", "port": 8080}}))

    assert "url: http://[2001:db8::7]:8080/status%20page" in result.yaml

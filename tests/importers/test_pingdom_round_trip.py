"""What the import writes loads through the real catalog loader beside a minimal catalog, with the Pingdom
settings carried into the fields the checks run with."""

from datetime import timedelta
from typing import Any

import pytest
from pingdom_exports import CREDENTIALS, LoadFragment, checks_of, fixture_export, run_import

from watchkeeper.catalog import CatalogInvalid
from watchkeeper.catalog.secrets import resolve


def test_the_detailed_export_loads_with_every_service_owned_by_the_team(load_fragment: LoadFragment) -> None:
    result = run_import(fixture_export("pingdom-checks-detailed.json"))

    catalog = load_fragment(result)

    assert [service.id for service in catalog.services] == [
        "card-payments-frontend",
        "payments-api",
        "payments-admin-sign-in",
        "legacy-status-page",
        "postgres-primary",
        "redis-cache",
        "www-a-record",
        "api-aaaa-record",
    ]
    assert {service.owner for service in catalog.services} == {"pay"}
    assert len(checks_of(catalog)) == 9


def test_an_https_check_keeps_its_url_interval_expectations_and_confirmations(load_fragment: LoadFragment) -> None:
    check: Any = checks_of(load_fragment(run_import(fixture_export("pingdom-checks-detailed.json"))))[
        "card-payments-frontend"
    ]

    assert check.type == "http"
    assert check.name == "Card payments – frontend"
    assert check.url == "https://card.payments.example.org/healthcheck"
    assert check.interval == timedelta(minutes=1)
    assert check.down_after == 3
    assert check.severity == "page"
    assert check.expect.body_contains == '"status":"ok"'
    assert check.expect.max_response_time == timedelta(seconds=2)
    assert check.timeout == timedelta(seconds=10)  # a 2 s threshold fits in the default timeout
    assert check.headers == {"Accept": "application/json"}  # Pingdom's own User-Agent is left behind
    assert check.verify_tls is True
    assert check.labels == {"pingdom_id": "7100201", "pingdom_tags": "payments,prod"}


def test_certificate_expiry_days_become_a_tls_check_beside_the_http_one(load_fragment: LoadFragment) -> None:
    catalog = load_fragment(run_import(fixture_export("pingdom-checks-detailed.json")))
    [service] = [s for s in catalog.services if s.id == "card-payments-frontend"]
    tls: Any = service.checks[1]

    assert [check.type for check in service.checks] == ["http", "tls"]
    assert tls.id == "card-payments-frontend-certificate"
    assert tls.host == "card.payments.example.org"
    assert tls.port == 443
    assert tls.expiry.critical == timedelta(days=21)


def test_credentials_become_secret_references_that_the_loader_requires(load_fragment: LoadFragment) -> None:
    result = run_import(fixture_export("pingdom-checks-detailed.json"))
    checks: Any = checks_of(load_fragment(result))
    api, sign_in = checks["payments-api"], checks["payments-admin-sign-in"]

    assert api.url == (
        "https://api.payments.example.org:8443/v1/health?verbose=1&api_key=${PINGDOM_7100202_QUERY_API_KEY}"
    )
    assert api.headers["Authorization"] == "Bearer ${PINGDOM_7100202_HEADER_AUTHORIZATION}"
    assert sign_in.basic_auth.username == "staging"
    assert sign_in.basic_auth.password == "${PINGDOM_7100203_PASSWORD}"
    assert sign_in.body == "email=probe%40example.org&password=${PINGDOM_7100203_BODY_PASSWORD}"
    with pytest.raises(CatalogInvalid) as unset:
        load_fragment(result, environ={})
    assert len(unset.value.problems) == 4
    assert all("is not set" in problem.message for problem in unset.value.problems)


def test_no_credential_from_the_export_is_written(load_fragment: LoadFragment) -> None:
    result = run_import(fixture_export("pingdom-checks-detailed.json"))
    single = run_import(fixture_export("pingdom-check-7100301.json"))

    for secret in CREDENTIALS:
        assert secret not in result.yaml
        assert secret not in single.yaml
    assert [s.name for s in single.secrets] == ["PINGDOM_7100301_HEADER_X_API_KEY"]


def test_a_form_post_and_tls_settings_come_across(load_fragment: LoadFragment) -> None:
    checks: Any = checks_of(load_fragment(run_import(fixture_export("pingdom-checks-detailed.json"))))
    api, sign_in = checks["payments-api"], checks["payments-admin-sign-in"]

    assert sign_in.method == "POST"
    assert sign_in.headers == {"Content-Type": "application/x-www-form-urlencoded"}
    assert sign_in.paused is True
    assert sign_in.interval == timedelta(minutes=15)
    assert api.verify_tls is False
    assert api.severity == "ticket"
    assert api.timeout == timedelta(seconds=30)  # Pingdom's 30 s threshold: a slower answer is down
    assert api.expect.body_not_contains == "degraded"
    assert "payments-api-certificate" not in checks  # no certificate check where verification was off


def test_tcp_and_dns_checks_come_across(load_fragment: LoadFragment) -> None:
    checks: Any = checks_of(load_fragment(run_import(fixture_export("pingdom-checks-detailed.json"))))
    postgres, redis = checks["postgres-primary"], checks["redis-cache"]
    www, api = checks["www-a-record"], checks["api-aaaa-record"]

    assert (postgres.type, postgres.host, postgres.port, postgres.send) == (
        "tcp",
        "db.internal.example.org",
        5432,
        None,
    )
    assert (redis.send, redis.expect, redis.timeout) == ("PING", "+PONG", timedelta(seconds=3))
    assert (www.type, www.name, www.record, www.resolver) == ("dns", "www.example.org", "A", "198.51.100.53")
    assert www.expect.contains == ["192.0.2.44"]
    assert www.interval == timedelta(minutes=30)
    assert (api.record, api.resolver, api.expect.contains) == ("AAAA", None, ["2001:db8::44"])


def test_a_single_check_response_with_header_lines_loads(load_fragment: LoadFragment) -> None:
    checks: Any = checks_of(load_fragment(run_import(fixture_export("pingdom-check-7100301.json"))))

    assert checks["booking-api"].headers == {
        "X-Api-Key": "${PINGDOM_7100301_HEADER_X_API_KEY}",
        "Accept-Language": "en-GB",
    }
    assert checks["booking-api"].expect.body_not_contains == "unhealthy"
    assert checks["booking-api-certificate"].expiry.critical == timedelta(days=7)


def test_the_list_export_loads_with_what_it_has(load_fragment: LoadFragment) -> None:
    result = run_import(fixture_export("pingdom-checks-list.json"))
    checks: Any = checks_of(load_fragment(result))

    assert sorted(checks) == ["blog", "example-net-resolves", "marketing-site"]
    assert checks["marketing-site"].url == "https://www.example.net/"
    assert checks["blog"].url == "http://blog.example.net/"
    assert checks["blog"].paused is True
    assert checks["example-net-resolves"].name == "example.net"
    assert [(s.pingdom_id, s.kind) for s in result.skipped] == [(5811203, "tcp"), (5811205, "ping")]
    assert len(result.notes) == 3


def test_an_array_of_saved_responses_grouped_by_tag_on_a_platform(load_fragment: LoadFragment) -> None:
    detailed = fixture_export("pingdom-checks-detailed.json")["checks"]
    saved = [{"check": check} for check in detailed[:6]]

    catalog = load_fragment(run_import(saved, group_by="tag", platform="paas"))

    assert [(s.id, s.name, s.platform) for s in catalog.services] == [
        ("payments", "payments", "paas"),
        ("legacy-status-page", "Legacy status page", "paas"),
        ("data", "data", "paas"),
    ]
    assert [c.id for c in catalog.services[0].checks] == [
        "card-payments-frontend",
        "card-payments-frontend-certificate",
        "payments-api",
        "payments-admin-sign-in",
    ]


def test_text_that_looks_like_a_secret_reference_stays_text(load_fragment: LoadFragment) -> None:
    http = {"url": "/price", "encryption": True, "shouldcontain": "total: ${amount}", "postdata": "{{${x}}}"}
    result = run_import(one_check_with(http))
    catalog = load_fragment(result)
    [check] = checks_of(catalog).values()
    typed: Any = check

    assert catalog.secrets == []
    assert resolve(typed.expect.body_contains, {}) == "total: ${amount}"
    assert resolve(typed.body, {}) == "{{${x}}}"


def test_an_empty_export_is_an_empty_fragment_that_loads(load_fragment: LoadFragment) -> None:
    result = run_import({"checks": [], "counts": {"total": 0}})

    assert "services: []" in result.yaml
    assert load_fragment(result).services == []


def one_check_with(http: dict[str, Any]) -> dict[str, Any]:
    return {
        "check": {"id": 9, "name": "Price", "hostname": "shop.example.org", "resolution": 1, "type": {"http": http}}
    }

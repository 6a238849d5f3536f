"""Signing in and out, sessions, CSRF tokens, API tokens, the lockout and the security headers, through the app
over a real database (both backends), with a clock the tests move."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from signed_in import PASSWORD, Person, admin_with_password, sign_in, token_for
from watchkeeper.services import api_tokens
from watchkeeper.services.accounts import disable_account
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.sign_in import issue_link
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.web.access import SESSION_COOKIE
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "sign-in-tests-secret-key-0123456789-abcdefghij"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EMAIL = "admin@example.org"


@dataclass
class Site:
    client: TestClient
    db: Database
    clock: FixedClock

    def sign_in(self, email: str = EMAIL, password: str = PASSWORD, next: str = "/") -> httpx.Response:
        form = self.client.get("/login", params={"next": next}).text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        assert token is not None
        data = {"email": email, "password": password, "login_token": token[1], "next": next}
        return self.client.post("/login", data=data, follow_redirects=False)


def _site(
    db: Database,
    clock: FixedClock,
    demo: bool = False,
    client: tuple[str, int] = ("testclient", 5000),
    base_url: str = "http://testserver",
) -> Site:
    settings = Settings(database_url=db.url, secret_key=KEY, demo=demo)
    context = AppContext(settings, db, clock, build_registry(db), None, None)
    app = create_app(context)
    return Site(TestClient(app, raise_server_exceptions=False, client=client, base_url=base_url), db, clock)


@pytest.fixture
def site(db: Database) -> Iterator[Site]:
    admin_with_password(db)
    made = _site(db, FixedClock(NOW))
    with made.client:
        yield made


def test_a_page_sends_a_visitor_to_sign_in_and_the_api_answers_401(site):
    page = site.client.get("/alerts?status=all", follow_redirects=False)
    api = site.client.get("/api/v1/teams")

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/alerts%3Fstatus%3Dall"
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"
    assert api.headers["www-authenticate"] == 'Bearer realm="watchkeeper"'


def test_signing_in_sets_a_http_only_same_site_cookie_and_returns_to_the_page(site):
    answer = site.sign_in(next="/alerts")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/alerts"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here; see the HTTPS test
    page = site.client.get("/alerts")
    assert page.status_code == 200
    assert "Signed in as <strong>Asha Patel</strong> (platform admin)" in page.text


def test_the_session_secret_password_and_token_are_never_stored_in_clear(site):
    site.sign_in()
    secret = site.client.cookies[SESSION_COOKIE]
    token = token_for(site.db, Person(EMAIL), ["read"])

    with site.db.reading() as connection:
        stored = [
            str(row) for table in (t.sessions, t.accounts, t.api_tokens) for row in connection.execute(select(table))
        ]
    assert not any(secret in row or PASSWORD in row or token in row for row in stored)
    assert any("$argon2id$" in row for row in stored)


@pytest.mark.parametrize(("email", "password"), [(EMAIL, "not the password"), ("nobody@example.org", PASSWORD)])
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(site, email, password):
    answer = site.sign_in(email, password)

    assert answer.status_code == 401
    assert "The email or password is wrong" in answer.text
    assert SESSION_COOKIE not in site.client.cookies
    assert 'value="' + email + '"' in answer.text  # what was typed is kept; the password never is
    assert password not in answer.text


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_the_page_after_sign_in_is_never_another_site(site, target):
    answer = site.sign_in(next=target)

    assert answer.headers["location"] == "/"


def test_a_sign_in_without_the_forms_own_token_is_refused(site):
    answer = site.client.post("/login", data={"email": EMAIL, "password": PASSWORD, "login_token": "forged"})

    assert answer.status_code == 400
    assert "The sign-in form had expired" in answer.text
    assert SESSION_COOKIE not in site.client.cookies


def test_five_failures_lock_the_email_for_a_while_whatever_the_password_then_it_opens_again(site):
    for _ in range(5):
        assert site.sign_in(password="wrong password!").status_code == 401

    locked = site.sign_in()
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) == 900
    assert "Too many failed sign-ins for this email" in locked.text
    assert site.sign_in("nobody@example.org", "x").status_code == 401  # other emails are not locked

    site.clock.advance(timedelta(minutes=16))
    assert site.sign_in().status_code == 303


def test_many_failures_from_one_address_are_refused_whatever_the_email(site):
    for number in range(30):
        site.sign_in(f"person{number}@example.org", "wrong password!")

    assert site.sign_in().status_code == 429


def test_signing_out_ends_the_session_for_good(site):
    site.sign_in()
    secret = site.client.cookies[SESSION_COOKIE]
    page = site.client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None

    out = site.client.post("/logout", data={"csrf_token": csrf[1]}, follow_redirects=False)

    assert out.headers["location"] == "/login"
    site.client.cookies.set(SESSION_COOKIE, secret)  # a copy of the old cookie
    assert site.client.get("/", follow_redirects=False).status_code == 303


def test_a_session_ends_when_idle_and_when_old(site):
    site.sign_in()
    site.clock.advance(timedelta(hours=11))
    assert site.client.get("/", follow_redirects=False).status_code == 200  # used: idle time starts again
    for _ in range(15):
        site.clock.advance(timedelta(hours=11))
        site.client.get("/")
    assert site.client.get("/", follow_redirects=False).status_code == 303  # past its 7-day life

    site.sign_in()
    site.clock.advance(timedelta(hours=12, minutes=1))
    assert site.client.get("/", follow_redirects=False).status_code == 303  # idle for over 12 hours


def test_a_form_without_the_sessions_csrf_token_changes_nothing(site):
    site.sign_in()
    form = {"matchers": "service=pay-api", "duration": "1h", "comment": "deploying"}

    refused = site.client.post("/silences", data=form)
    api = site.client.post("/api/v1/silences", json={"matchers": ["service=pay-api"], "duration": "1h"})

    assert refused.status_code == 403
    assert "This form has expired" in refused.text
    assert api.status_code == 403
    assert "CSRF" in api.json()["detail"]
    with site.db.reading() as connection:
        assert connection.execute(select(t.silences)).first() is None


def test_a_form_from_another_site_is_refused_before_asking_anyone_to_sign_in(site):
    answer = site.client.post("/silences", data={"matchers": "x=y"}, headers={"Sec-Fetch-Site": "cross-site"})

    assert answer.status_code == 403
    assert "A form from another site was refused" in answer.text


def test_a_viewer_reads_but_changes_nothing(site):
    sign_in(site.client, site.db, KEY, Person("viewer@example.org", "viewer"), at=NOW)

    assert site.client.get("/api/v1/silences").status_code == 200
    refused = site.client.post("/api/v1/silences", json={"matchers": ["service=pay-api"], "duration": "1h"})
    page = site.client.post("/silences", data={"matchers": "service=pay-api"})

    assert refused.status_code == 403
    assert "you are a viewer" in refused.json()["detail"]
    assert page.status_code == 403
    assert "You cannot do this" in page.text


def test_a_token_reads_within_its_scopes_and_needs_no_csrf_token(site):
    read_only = token_for(site.db, Person(EMAIL), ["read"])
    writer = token_for(site.db, Person(EMAIL), ["read", "suppression"])
    body = {"matchers": ["service=pay-api"], "duration": "1h", "comment": "deploying"}

    listed = site.client.get("/api/v1/silences", headers={"Authorization": f"Bearer {read_only}"})
    refused = site.client.post("/api/v1/silences", json=body, headers={"Authorization": f"Bearer {read_only}"})
    made = site.client.post("/api/v1/silences", json=body, headers={"Authorization": f"Bearer {writer}"})
    metrics = site.client.get("/metrics", headers={"Authorization": f"Bearer {read_only}"})

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert "lacks the 'suppression' scope" in refused.json()["detail"]
    assert made.status_code == 201, made.text
    assert metrics.status_code == 403  # a scraper's token is given the metrics scope


@pytest.mark.parametrize("header", ["Bearer wk_not-a-token", "Bearer", "Basic YWRtaW46cGFzcw==", "Bearer " + "x" * 500])
def test_an_unknown_or_malformed_token_is_a_401(site, header):
    answer = site.client.get("/api/v1/teams", headers={"Authorization": header})

    assert answer.status_code == 401
    assert answer.json()["status"] == 401


def test_a_proxys_basic_sign_in_header_leaves_the_session_to_decide(site):
    site.sign_in()

    page = site.client.get("/", headers={"Authorization": "Basic YWRtaW46cGFzcw=="}, follow_redirects=False)

    assert page.status_code == 200


def test_a_revoked_or_expired_token_stops_working(site):
    token = token_for(site.db, Person(EMAIL), ["read"])
    headers = {"Authorization": f"Bearer {token}"}
    assert site.client.get("/api/v1/teams", headers=headers).status_code == 200

    with site.db.reading() as connection:
        token_id = connection.execute(select(t.api_tokens.c.id)).scalar_one()
    api_tokens.revoke(site.db, NOW, token_id, cli_actor("tests"))
    assert site.client.get("/api/v1/teams", headers=headers).status_code == 401

    fresh = token_for(site.db, Person(EMAIL), ["read"])
    site.clock.advance(timedelta(days=91))  # tokens last 90 days unless told otherwise
    assert site.client.get("/api/v1/teams", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


def test_a_sign_in_link_shows_a_button_signs_in_once_and_then_says_it_is_used(site):
    secret = issue_link(site.db, NOW, EMAIL, timedelta(hours=1), cli_actor("tests"))

    shown = site.client.get(f"/login/link/{secret}")
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    assert SESSION_COOKIE not in site.client.cookies  # looking at the link signs nobody in
    used = site.client.post(f"/login/link/{secret}", follow_redirects=False)
    assert used.status_code == 303
    assert site.client.get("/", follow_redirects=False).status_code == 200

    site.client.cookies.clear()
    again = site.client.post(f"/login/link/{secret}")
    assert again.status_code == 404
    assert "This sign-in link does not work" in again.text


def test_pages_carry_a_strict_content_security_policy_whose_nonce_is_the_inline_scripts(site):
    site.sign_in()
    page = site.client.get("/")
    api = site.client.get("/api/v1/teams")

    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert f'<script nonce="{nonce[1]}">' in page.text
    assert "script-src 'self' 'nonce-" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert api.headers["content-security-policy"].startswith("default-src 'none'")
    assert "strict-transport-security" not in page.headers  # plain HTTP


def test_pages_and_api_answers_are_never_stored_so_the_back_button_after_sign_out_shows_no_console(site):
    signed_out = site.client.get("/login")
    site.sign_in()
    page = site.client.get("/")
    api = site.client.get("/api/v1/teams")
    health = site.client.get("/healthz")

    assert page.headers["cache-control"] == "no-store"
    assert signed_out.headers["cache-control"] == "no-store"
    assert api.headers["cache-control"] == "no-store"  # for whoever asked: no shared cache keeps it
    assert "cache-control" not in health.headers


def test_over_https_the_cookie_is_secure_and_the_browser_told_to_keep_to_https(db):
    admin_with_password(db)
    settings = Settings(database_url=db.url, secret_key=KEY, public_url="https://wk.example.org")
    context = AppContext(settings, db, FixedClock(NOW), build_registry(db), None, None)
    with TestClient(create_app(context), base_url="https://wk.example.org") as client:
        made = Site(client, db, FixedClock(NOW))
        answer = made.sign_in()

    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "Secure" in cookie
    assert answer.headers["strict-transport-security"] == "max-age=31536000"


def test_the_demo_signs_in_a_visitor_from_loopback_and_nobody_else(db):
    here = ("127.0.0.1", 5000)
    loopback = _site(db, FixedClock(NOW), demo=True, client=here, base_url="http://127.0.0.1:8000")
    by_name = _site(db, FixedClock(NOW), demo=True, client=here, base_url="http://localhost:8000")
    elsewhere = _site(db, FixedClock(NOW), demo=True, client=("192.0.2.7", 5000), base_url="http://127.0.0.1:8000")
    not_demo = _site(db, FixedClock(NOW), demo=False, client=here, base_url="http://127.0.0.1:8000")
    # another site whose name was made to resolve to 127.0.0.1 (DNS rebinding), reaching the demo from a browser
    rebound = _site(db, FixedClock(NOW), demo=True, client=here, base_url="http://evil.example:8000")

    with loopback.client, by_name.client, elsewhere.client, not_demo.client, rebound.client:
        page = loopback.client.get("/")
        assert page.status_code == 200
        assert "Signed in as <strong>Demo visitor</strong> (platform admin)" in page.text
        assert loopback.client.get("/").status_code == 200  # the cookie keeps the same session
        assert by_name.client.get("/").status_code == 200
        assert elsewhere.client.get("/", follow_redirects=False).status_code == 303
        assert not_demo.client.get("/", follow_redirects=False).status_code == 303
        assert rebound.client.get("/", follow_redirects=False).status_code == 303
    with db.reading() as connection:
        assert len(connection.execute(select(t.sessions)).all()) == 2  # 127.0.0.1's and localhost's


def test_a_disabled_account_is_signed_out_at_once(site):
    site.sign_in()
    assert site.client.get("/", follow_redirects=False).status_code == 200

    disable_account(site.db, NOW, EMAIL, cli_actor("tests"))

    assert site.client.get("/", follow_redirects=False).status_code == 303
    assert site.sign_in().status_code == 401

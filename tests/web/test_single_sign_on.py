"""Single sign-on through a real OpenID Connect provider on loopback (tests/oidc_provider.py): the whole flow
driven through the app, on both databases, with the app's requests to the provider going over HTTP and the
browser's hops between them followed by hand. Every way in, and every refusal, is a page."""

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from oidc_provider import CLIENT_ID, CLIENT_SECRET, Behaviour, Person, Provider, closed_port, running_provider
from signed_in import PASSWORD, admin_with_password
from watchkeeper.services.accounts import NewAccount, create_account, disable_account
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.store import tables as t
from watchkeeper.web.access import SESSION_COOKIE
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry
from watchkeeper.web.single_sign_on import FLOW_COOKIE

KEY = "single-sign-on-tests-secret-key-0123456789-abcdef"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CALLBACK = "http://testserver/login/oidc/callback"
FATIMA = Person(subject="subject-fatima", email="fatima.hussain@example.gov.uk", name="Fatima Hussain")


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider(CALLBACK) as running:
        yield running


@dataclass
class Site:
    client: TestClient
    db: Database
    provider: Provider

    def start(self, next: str = "/") -> httpx.Response:
        form = self.client.get("/login").text
        token = re.search(r'name="login_token" value="([^"]+)"', form)
        assert token is not None
        return self.client.post(
            "/login/oidc/start", data={"login_token": token[1], "next": next}, follow_redirects=False
        )

    def at_provider(self, started: httpx.Response) -> str:
        """What the browser does at the provider: follows the redirect there, and is sent back with a URL."""
        assert started.status_code == 303, started.text
        answer = httpx.get(started.headers["location"], follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = answer.headers["location"]
        assert back.startswith(CALLBACK)
        return back

    def sign_in(self, person: Person | None = None, next: str = "/") -> httpx.Response:
        if person is not None:
            self.provider.behaviour.person = person
        return self.client.get(self.at_provider(self.start(next)), follow_redirects=False)

    def account(self, email: str) -> account_store.AccountRow | None:
        with self.db.reading() as connection:
            return account_store.by_email(connection, email)


def _settings(db: Database, issuer: str, **more: str) -> Settings:
    values = {
        "database_url": db.url,
        "secret_key": KEY,
        "public_url": "http://testserver",
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_name": "Example ID",
        **more,
    }
    return Settings(**values)


def _site(db: Database, provider: Provider, settings: Settings) -> Site:
    context = AppContext(settings, db, FixedClock(NOW), build_registry(db), None, None)
    return Site(TestClient(create_app(context), raise_server_exceptions=False), db, provider)


@pytest.fixture
def site(db: Database, provider: Provider, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[Site]:
    applied = apply_catalog_from(db, example_catalog, clock=FixedClock(NOW), trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied"
    provider.behaviour = Behaviour()
    provider.keys = provider.keys[-1:]
    made = _site(db, provider, _settings(db, provider.issuer))
    with made.client:
        yield made


def _refusal(answer: httpx.Response) -> str:
    found = re.search(r'data-testid="sso-refused">([^<]*)<', answer.text)
    assert found is not None, answer.text
    return found[1].replace("&#39;", "'")


def test_the_sign_in_page_offers_the_provider_and_lets_its_button_lead_there(site):
    page = site.client.get("/login")

    assert "Sign in with Example ID" in page.text
    assert 'action="/login/oidc/start"' in page.text
    policy = page.headers["content-security-policy"]
    assert f"form-action 'self' {site.provider.issuer}" in policy
    assert "script-src 'self' 'nonce-" in policy  # the rest of the policy is as strict as ever


def test_the_authorization_request_uses_pkce_state_and_nonce_and_the_public_callback(site):
    started = site.start()

    assert started.headers["location"].startswith(site.provider.issuer + "/authorize?")
    site.at_provider(started)
    sent = site.provider.authorizations[-1]
    assert sent["response_type"] == "code"
    assert sent["scope"] == "openid email profile"
    assert sent["redirect_uri"] == CALLBACK
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 32
    assert len(sent["nonce"]) >= 32
    assert "code_verifier" not in sent
    cookie = next(c for c in started.headers.get_list("set-cookie") if c.startswith(FLOW_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/login/oidc" in cookie
    assert sent["state"] not in cookie  # derived from the cookie's seed with the server's key
    assert sent["nonce"] not in cookie


def test_a_catalog_person_without_an_account_gets_one_as_a_viewer_and_their_teams_rights(site):
    answer = site.sign_in(FATIMA, next="/alerts")

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/alerts"
    page = site.client.get("/alerts")
    assert "Signed in as <strong>Fatima Hussain</strong> (team member, pay)" in page.text
    account = site.account("fatima.hussain@example.gov.uk")
    assert account is not None
    assert (account.role, account.oidc_issuer, account.oidc_subject) == (
        "viewer",
        site.provider.issuer,
        "subject-fatima",
    )
    assert account.created_by == "single sign-on"
    assert account.password_hash is None
    with site.db.reading() as connection:
        made = connection.execute(select(t.audit_events).where(t.audit_events.c.action == "account.create")).all()
        method = connection.execute(select(t.sessions.c.method)).scalars().all()
    assert [(row.actor, row.after["email"]) for row in made] == [("single sign-on", "fatima.hussain@example.gov.uk")]
    assert method == ["oidc"]
    assert FLOW_COOKIE not in site.client.cookies  # used once, then gone


def test_a_member_of_the_platform_team_is_a_platform_admin(site):
    site.sign_in(Person())

    assert (
        "Signed in as <strong>Asha Patel</strong> (platform admin, reliability-engineering)"
        in site.client.get("/").text
    )


def test_an_account_with_the_verified_email_is_linked_on_first_use_and_then_found_by_its_subject(site):
    admin_with_password(site.db, "fatima.hussain@example.gov.uk")

    first = site.sign_in(FATIMA)
    assert first.status_code == 303
    linked = site.account("fatima.hussain@example.gov.uk")
    assert linked is not None
    assert linked.oidc_subject == "subject-fatima"
    assert linked.password_hash is not None  # the password still works as well

    site.client.post("/logout")
    renamed = Person(subject="subject-fatima", email="fatima.h@example.gov.uk", name="Fatima Hussain")
    again = site.sign_in(renamed)
    assert again.status_code == 303
    assert "Signed in as <strong>Asha Patel</strong>" in site.client.get("/").text  # the account's own name
    with site.db.reading() as connection:
        links = connection.execute(
            select(t.audit_events.c.action).where(t.audit_events.c.action == "account.single-sign-on")
        ).all()
        accounts = connection.execute(select(t.accounts.c.email)).scalars().all()
    assert len(links) == 1
    assert accounts == ["fatima.hussain@example.gov.uk"]


def test_someone_with_no_account_and_not_in_the_catalog_is_told_to_ask_an_admin(site):
    answer = site.sign_in(Person(subject="s-9", email="visitor@example.org", name="A Visitor"))

    assert answer.status_code == 403
    assert _refusal(answer) == (
        "No account exists for visitor@example.org, and no one in the catalog has that email: ask an admin to make"
        " you one."
    )
    assert SESSION_COOKIE not in site.client.cookies
    assert site.account("visitor@example.org") is None


def test_a_disabled_account_is_refused(site):
    admin_with_password(site.db, "fatima.hussain@example.gov.uk")
    disable_account(site.db, NOW, "fatima.hussain@example.gov.uk", cli_actor("tests"))

    answer = site.sign_in(FATIMA)

    assert answer.status_code == 403
    assert "The account for fatima.hussain@example.gov.uk is disabled" in _refusal(answer)
    assert SESSION_COOKIE not in site.client.cookies


def test_an_account_linked_to_another_identity_is_not_taken_over_by_its_email(site):
    new = NewAccount(email="fatima.hussain@example.gov.uk", role="viewer", single_sign_on=(site.provider.issuer, "old"))
    create_account(site.db, NOW, new, cli_actor("tests"))

    answer = site.sign_in(FATIMA)

    assert answer.status_code == 403
    assert "is linked to a different single sign-on identity" in _refusal(answer)
    assert site.account("fatima.hussain@example.gov.uk").oidc_subject == "old"


def test_denied_consent_is_a_page_saying_so(site):
    site.provider.behaviour.deny = True

    answer = site.sign_in(FATIMA)

    assert answer.status_code == 403
    assert _refusal(answer) == (
        "Example ID did not let Watchkeeper know who you are (access was denied), so you are not signed in."
    )
    assert answer.headers["cache-control"] == "no-store"


def test_a_forged_state_is_refused(site):
    back = site.at_provider(site.start())
    forged = re.sub(r"state=[^&]+", "state=forged", back)

    answer = site.client.get(forged)

    assert answer.status_code == 400
    assert "does not match the one this browser started with" in _refusal(answer)
    assert SESSION_COOKIE not in site.client.cookies


def test_a_replayed_callback_is_refused(site):
    back = site.at_provider(site.start())
    assert site.client.get(back, follow_redirects=False).status_code == 303
    site.client.post("/logout")

    replayed = site.client.get(back)

    assert replayed.status_code == 400
    assert "was used already" in _refusal(replayed)
    assert SESSION_COOKIE not in site.client.cookies


def test_a_callback_in_another_browser_is_refused(site):
    back = site.at_provider(site.start())

    with TestClient(site.client.app, raise_server_exceptions=False) as elsewhere:
        answer = elsewhere.get(back)

    assert answer.status_code == 400
    assert "did not start in this browser" in _refusal(answer)


@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [
        ({"expired": True}, "expired_token"),
        ({"unpublished_key": True}, "bad_signature"),
        ({"audience": "someone-else"}, "aud"),
        ({"audience": "someone-else", "azp": CLIENT_ID}, "aud"),
        ({"nonce": "another-nonce"}, "nonce"),
    ],
)
def test_an_id_token_that_fails_a_check_signs_nobody_in(site, misbehaviour, reason):
    site.provider.behaviour = Behaviour(person=FATIMA, **misbehaviour)

    answer = site.sign_in()

    assert answer.status_code == 400
    assert "Example ID's answer could not be verified" in _refusal(answer)
    assert reason in _refusal(answer)
    assert SESSION_COOKIE not in site.client.cookies
    assert site.account("fatima.hussain@example.gov.uk") is None


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_email_the_provider_does_not_vouch_for_is_refused(site, verified):
    answer = site.sign_in(Person(subject="s", email="fatima.hussain@example.gov.uk", email_verified=verified))

    assert answer.status_code == 403
    assert "did not say that fatima.hussain@example.gov.uk is verified" in _refusal(answer)
    assert site.account("fatima.hussain@example.gov.uk") is None


def test_entra_ids_verified_domain_claim_stands_for_a_verified_email(site):
    entra = Person(subject="s-e", email="fatima.hussain@example.gov.uk", email_verified=None, extra={"xms_edov": True})

    assert site.sign_in(entra).status_code == 303


def test_an_email_outside_the_allowed_domains_is_refused(db, provider, example_catalog, example_secrets):
    apply_catalog_from(db, example_catalog, clock=FixedClock(NOW), trigger="cli", environ=example_secrets)
    provider.behaviour = Behaviour()
    settings = _settings(db, provider.issuer, oidc_email_domains="example.org, Example.COM")
    with _site(db, provider, settings).client as client:
        site = Site(client, db, provider)
        answer = site.sign_in(FATIMA)

    assert answer.status_code == 403
    assert _refusal(answer) == (
        "Example.gov.uk is not among the email domains allowed to sign in here (example.com, example.org)."
    )


def test_an_email_that_only_str_lower_would_make_a_persons_is_not_theirs(site):
    """U+212A KELVIN SIGN is not the letter K, though `str.lower()` makes it one: whoever a provider vouches for
    at `hana.\u212aowalski@` is not Hana Kowalski, and is refused as nobody Watchkeeper knows."""
    answer = site.sign_in(Person(subject="not-hana", email="hana.\u212aowalski@example.gov.uk", name="Not Hana"))

    assert answer.status_code == 403
    assert _refusal(answer).startswith("No account exists for hana.\u212aowalski@example.gov.uk, and no one")
    assert site.account("hana.kowalski@example.gov.uk") is None
    assert site.sign_in(Person(subject="hana", email="hana.kowalski@example.gov.uk")).status_code == 303


def test_a_domain_that_only_str_lower_would_allow_is_refused(db, provider, example_catalog, example_secrets):
    apply_catalog_from(db, example_catalog, clock=FixedClock(NOW), trigger="cli", environ=example_secrets)
    provider.behaviour = Behaviour()
    settings = _settings(db, provider.issuer, oidc_email_domains="example.gov.uk")
    with _site(db, provider, settings).client as client:
        answer = Site(client, db, provider).sign_in(Person(subject="s", email="fatima.hussain@example.gov.u\u212a"))

    assert answer.status_code == 403
    assert "is not among the email domains allowed to sign in here (example.gov.uk)" in _refusal(answer)


@pytest.mark.parametrize("subject", ["", "s" * 256, "a\x00b", "caf\u00e9"], ids=["empty", "long", "nul", "non-ascii"])
def test_a_subject_openid_connect_does_not_allow_links_nothing(site, subject):
    """Core 1.0, section 2: `sub` is at most 255 ASCII characters and never empty; an account is linked to it,
    so an empty one would let every later empty one in."""
    answer = site.sign_in(Person(subject="unused", email="fatima.hussain@example.gov.uk", extra={"sub": subject}))

    assert answer.status_code == 400
    assert "subject (`sub`)" in _refusal(answer)
    assert site.account("fatima.hussain@example.gov.uk") is None


def test_a_catalog_email_with_a_non_ascii_capital_is_found_alike_on_both_databases(
    db, provider, example_catalog, example_secrets, tmp_path
):
    """The catalog writes `Fatima.Öztürk@`; the provider vouches for `fatima.öztürk@`. SQLite's lower() leaves
    `Ö` as it is and PostgreSQL's does not, so the people keep an email folded in Python, the same on both."""
    catalog = tmp_path / "catalog"
    shutil.copytree(example_catalog, catalog)
    pay = catalog / "teams" / "pay.yaml"
    pay.write_text(pay.read_text().replace("fatima.hussain@example.gov.uk", "Fatima.\u00d6zt\u00fcrk@example.gov.uk"))
    apply_catalog_from(db, catalog, clock=FixedClock(NOW), trigger="cli", environ=example_secrets)
    provider.behaviour = Behaviour()
    with _site(db, provider, _settings(db, provider.issuer)).client as client:
        site = Site(client, db, provider)
        answer = site.sign_in(Person(subject="s-o", email="fatima.\u00f6zt\u00fcrk@example.gov.uk"))
        page = client.get("/").text

    assert answer.status_code == 303
    assert "Signed in as <strong>Fatima Hussain</strong> (team member, pay)" in page


def test_a_provider_that_is_down_leaves_the_sign_in_page_with_the_reason(db, provider):
    settings = _settings(db, f"http://127.0.0.1:{closed_port()}")
    with _site(db, provider, settings).client as client:
        site = Site(client, db, provider)
        answer = site.start()

    assert answer.status_code == 502
    assert "Example ID could not be reached: try again in a minute, or sign in with a password" in answer.text
    assert 'name="password"' in answer.text


def test_a_token_endpoint_that_fails_is_a_page_not_a_500(site):
    back = site.at_provider(site.start())
    site.provider.behaviour.token_status = 503

    answer = site.client.get(back)

    assert answer.status_code == 502
    assert "Example ID could not be reached" in _refusal(answer)


def test_a_discovery_document_naming_another_issuer_is_refused_as_misconfigured(db, provider):
    settings = _settings(db, provider.issuer + "/")  # a trailing slash: another issuer, to the letter
    with _site(db, provider, settings).client as client:
        answer = Site(client, db, provider).start()

    assert answer.status_code == 502
    assert "Single sign-on is misconfigured" in answer.text
    assert "not &#39;" + provider.issuer + "/&#39; as configured" in answer.text


def test_the_signing_keys_are_cached_and_read_again_for_a_key_id_not_seen_before(site):
    reads = site.provider.jwks_reads
    assert site.sign_in(FATIMA).status_code == 303
    site.client.post("/logout")
    assert site.sign_in(FATIMA).status_code == 303
    assert site.provider.jwks_reads == reads + 1  # kept between sign-ins

    site.provider.rotate()
    site.client.post("/logout")
    assert site.sign_in(FATIMA).status_code == 303
    assert site.provider.jwks_reads == reads + 2


def test_starting_without_the_sign_in_forms_token_is_refused(site):
    answer = site.client.post("/login/oidc/start", data={"login_token": "forged"}, follow_redirects=False)

    assert answer.status_code == 400
    assert "The sign-in form had expired" in answer.text
    assert site.provider.authorizations == [] or "forged" not in str(site.provider.authorizations[-1])


def test_the_next_page_is_never_another_site(site):
    answer = site.sign_in(FATIMA, next="//evil.example/")

    assert answer.headers["location"] == "/"


def test_without_single_sign_on_there_is_no_button_and_the_routes_say_so(db):
    settings = Settings(database_url=db.url, secret_key=KEY)
    context = AppContext(settings, db, FixedClock(NOW), build_registry(db), None, None)
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        page = client.get("/login")
        callback = client.get("/login/oidc/callback?code=x&state=y")

    assert "Sign in with" not in page.text
    assert "form-action 'self';" in page.headers["content-security-policy"]
    assert callback.status_code == 404
    assert "Single sign-on is not set up here" in callback.text


def test_the_password_still_signs_in_beside_single_sign_on(site):
    email, password = admin_with_password(site.db)
    form = site.client.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)
    assert token is not None
    data = {"email": email, "password": password, "login_token": token[1], "next": "/"}

    assert site.client.post("/login", data=data, follow_redirects=False).status_code == 303
    assert password == PASSWORD

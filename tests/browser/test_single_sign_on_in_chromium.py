"""Single sign-on in a real browser: Chromium follows the button to the provider on loopback (another site:
`localhost`, while the console is 127.0.0.1) and back, as a person's browser does."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from test_pages_in_chromium import browser  # noqa: F401 - the shared browser fixture

from oidc_provider import CLIENT_ID, CLIENT_SECRET, Person, Provider, loopback_listener, running_provider, serving
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@dataclass
class Served:
    url: str
    provider: Provider


@pytest.fixture
def site(sqlite_db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[Served]:
    clock = FixedClock(NOW)
    applied = apply_catalog_from(sqlite_db, example_catalog, clock=clock, trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied"
    listener = loopback_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    with running_provider(url + "/login/oidc/callback", host="localhost") as provider:
        settings = Settings(
            database_url=sqlite_db.url,
            secret_key="browser-tests-key-0123456789abcdef",
            public_url=url,
            oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_name="Example ID",
        )
        context = AppContext(settings, sqlite_db, clock, build_registry(sqlite_db), example_catalog)
        with serving(create_app(context), listener):
            yield Served(url, provider)


@pytest.fixture
def visitor(browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A browser page nobody has signed in on."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


def test_a_person_signs_in_through_the_provider_and_lands_on_the_page_they_asked_for(site, visitor):
    site.provider.behaviour.person = Person(
        subject="subject-fatima", email="fatima.hussain@example.gov.uk", name="Fatima Hussain"
    )
    visitor.goto(site.url + "/alerts")
    expect(visitor).to_have_title("Sign in – Watchkeeper")

    visitor.get_by_role("button", name="Sign in with Example ID").click()

    expect(visitor).to_have_url(site.url + "/alerts")
    expect(visitor.get_by_text("Signed in as")).to_contain_text("Fatima Hussain (team member, pay)")
    assert site.provider.authorizations[-1]["code_challenge_method"] == "S256"


def test_denied_consent_comes_back_to_a_page_saying_so(site, visitor):
    site.provider.behaviour.deny = True
    visitor.goto(site.url + "/login")

    visitor.get_by_role("button", name="Sign in with Example ID").click()

    expect(visitor.get_by_test_id("sso-refused")).to_contain_text("access was denied")
    expect(visitor.get_by_role("link", name="Back to sign in")).to_be_visible()

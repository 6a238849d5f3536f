"""The home page in a real browser: Debian's Chromium driven by Playwright against a server on loopback. An alert
raised while the page is open appears without a reload and is announced; a hidden tab stops asking and catches
up when shown; an alert is acknowledged from its button; no script or style breaks the page's CSP."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import serve
from playwright.sync_api import ConsoleMessage, Page, expect
from test_pages_in_chromium import browser, page  # noqa: F401 - the shared browser fixtures

from signed_in import admin_with_password
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
EVERY = 20_000
"""The page's refresh interval in milliseconds (data-live="20")."""


@pytest.fixture
def served(sqlite_db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[str]:
    clock = FixedClock(NOW)
    applied = apply_catalog_from(sqlite_db, example_catalog, clock=clock, trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied"
    admin_with_password(sqlite_db)
    settings = Settings(database_url=sqlite_db.url, secret_key="browser-tests-key-0123456789abcdef")
    context = AppContext(settings, sqlite_db, clock, build_registry(sqlite_db), example_catalog)
    with serve(create_app(context)) as base:
        yield base


@pytest.fixture
def site(served: str) -> str:
    """The shared `page` fixture signs in at `site`."""
    return served


def _raise(db: Database, check: str) -> None:
    signal = Signal(
        action="trigger",
        dedup_key=f"check:{check}",
        source="check",
        subject=Subject("check", check),
        summary=f"{check} is DOWN: connection refused",
    )
    receive(db, [signal], NOW)


def _watch_console(tab: Page) -> list[str]:
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    tab.on("console", note)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _open_home(tab: Page, site: str) -> None:
    tab.clock.install(time=NOW)  # the page's timers run when the test says, not in real time
    tab.goto(site + "/")
    expect(tab.locator("h1")).to_have_text("Home")
    tab.evaluate("window.wkNotReloaded = true")


def test_an_alert_raised_while_the_home_page_is_open_appears_without_a_reload(site, page, sqlite_db):  # noqa: F811
    problems = _watch_console(page)
    _open_home(page, site)
    expect(page.get_by_test_id("no-alerts")).to_contain_text("No alert is open for Reliability Engineering")
    expect(page.get_by_text("this page updates itself every 20 seconds")).to_be_visible()

    _raise(sqlite_db, "paas-api")
    page.clock.run_for(EVERY + 1000)

    expect(page.get_by_test_id("home-alerts")).to_contain_text("paas-api is DOWN: connection refused")
    expect(page.get_by_test_id("live-status")).to_have_text("Updated: 1 open alert, 0 checks down.")
    assert page.evaluate("window.wkNotReloaded") is True
    assert problems == []


def test_a_hidden_tab_stops_asking_and_catches_up_at_once_when_shown(site, page, sqlite_db):  # noqa: F811
    _open_home(page, site)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if request.url == site + "/" else None)
    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => true});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )

    _raise(sqlite_db, "paas-api")
    page.clock.run_for(3 * EVERY)
    assert asked == []
    expect(page.get_by_test_id("no-alerts")).to_be_visible()

    page.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => false});
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    expect(page.get_by_test_id("home-alerts")).to_contain_text("paas-api is DOWN")
    assert len(asked) == 1


def test_the_alerts_page_updates_itself_too(site, page, sqlite_db):  # noqa: F811
    page.clock.install(time=NOW)
    page.goto(site + "/alerts")
    expect(page.get_by_test_id("no-alerts")).to_be_visible()

    _raise(sqlite_db, "pay-frontend-home")
    page.clock.run_for(EVERY + 1000)

    expect(page.get_by_test_id("alerts")).to_contain_text("pay-frontend-home is DOWN")
    expect(page.get_by_test_id("live-status")).to_have_text("Updated: 1 open alert.")


def test_an_alert_is_acknowledged_from_the_home_page(site, page, sqlite_db):  # noqa: F811
    _raise(sqlite_db, "paas-api")
    page.goto(site + "/")

    page.get_by_role("button", name="Acknowledge alert 1").click()

    expect(page.get_by_test_id("summary")).to_have_text("paas-api is DOWN: connection refused")
    expect(page.get_by_test_id("facts")).to_contain_text("by Asha Patel (console)")


def _round(tab: Page, number: int) -> None:
    """Lets the page's next refresh run, and waits until it has been dealt with."""
    tab.clock.run_for(EVERY + 1000)
    expect(tab.locator("#live")).to_have_attribute("data-live-rounds", str(number))


def test_a_refresh_that_changes_nothing_leaves_the_list_in_place(site, page, sqlite_db):  # noqa: F811
    _raise(sqlite_db, "paas-api")
    _open_home(page, site)
    _round(page, 1)  # the first refresh swaps once, whatever it brings
    page.locator("#live table").first.evaluate("table => table.dataset.kept = 'yes'")

    _round(page, 2)
    kept = page.locator("#live table").first.get_attribute("data-kept")
    _raise(sqlite_db, "paas-dns")
    _round(page, 3)

    assert kept == "yes"
    expect(page.get_by_test_id("home-alerts")).to_contain_text("paas-dns is DOWN")
    expect(page.locator("#live table[data-kept]")).to_have_count(0)

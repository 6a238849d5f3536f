"""The console in a real browser: Debian's Chromium driven by Playwright against a server on loopback.

CI installs Chromium (`make setup` as root) and these tests fail there if it is missing; elsewhere, a machine
without it skips them and says why.
"""

import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from history_rows import HistoryRows, seed_story
from signed_in import ADMIN, PASSWORD, admin_with_password
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true" or os.geteuid() == 0:
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium package when run as root")
    pytest.skip(f"{CHROMIUM} is missing and this is not CI or root: install Debian's chromium package to run these")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def site(sqlite_db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[str]:
    """The example catalog with a day of history, served by uvicorn on a loopback port in a thread."""
    clock = FixedClock(NOW)
    applied = apply_catalog_from(sqlite_db, example_catalog, clock=clock, trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied"
    seed_story(HistoryRows(sqlite_db), NOW)
    admin_with_password(sqlite_db)
    settings = Settings(
        database_url=sqlite_db.url, catalog=example_catalog, secret_key="browser-tests-key-0123456789abcdef"
    )
    context = AppContext(settings, sqlite_db, clock, build_registry(sqlite_db), example_catalog)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(context), log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)  # in a thread, uvicorn leaves signal handling alone
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "the test server did not start"
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    """A browser page signed in as a platform admin through the sign-in page."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    signed_in = context.new_page()
    sign_in_through_the_page(signed_in, site)
    yield signed_in
    context.close()


def sign_in_through_the_page(page: Page, site: str, email: str = ADMIN, password: str = PASSWORD) -> None:
    page.goto(site + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("account")).to_contain_text("Signed in as")


def test_a_service_page_draws_each_checks_uptime_bar_with_a_title_per_day(site, page):
    page.goto(site + "/services/pay-frontend")

    expect(page.locator("h1")).to_have_text("Card payments frontend")
    bar = page.locator('[data-testid="uptime-pay-frontend-home"] svg')
    expect(bar.locator("title").first).to_have_text("Uptime of pay-frontend-home over 90 days")
    expect(bar.locator("rect")).to_have_count(90)
    expect(bar.locator('rect[data-day="2026-11-23"] title')).to_have_text("2026-11-23: 99.93% up, 1 failure of 1,440")
    expect(bar.locator('rect[data-day="2026-10-17"] title')).to_have_text("2026-10-17: no data")
    no_data = bar.locator('rect[data-day="2026-10-17"]')
    assert no_data.evaluate("rect => getComputedStyle(rect).fill") == "rgb(206, 206, 206)"  # the stylesheet applies
    assert bar.bounding_box()["width"] > 600  # stretched across the page, not collapsed


def test_a_service_page_draws_the_response_chart_with_its_title_and_lines(site, page):
    page.goto(site + "/services/pay-frontend")

    chart = page.locator('[data-testid="response-pay-frontend-home"] svg')
    expect(chart.locator("title").first).to_have_text("Response times of pay-frontend-home over the last 24 hours")
    expect(chart.locator("desc")).to_contain_text("the highest 95th percentile was")
    assert chart.locator("polyline.wk-chart__p50").first.bounding_box()["width"] > 500
    expect(chart.locator("rect.wk-chart__failure title")).to_have_text(["09:14–09:16 UTC: 4 failures of 4 results"])
    expect(page.locator('[data-testid="response-pay-frontend-certificate"]')).to_contain_text("No results")


def test_the_figures_behind_the_chart_open_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_through_the_page(page, site)
    page.goto(site + "/services/pay-frontend")

    table = page.locator('[data-testid="response-hours-pay-frontend-home"]')
    expect(table).to_be_hidden()
    page.get_by_text("Response times by hour, as a table").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(25)  # 24 hours across 25 clock hours
    context.close()


def test_the_navigation_leads_to_the_down_view_and_on_to_the_platform(site, page):
    page.goto(site + "/services/pay-frontend")

    page.get_by_role("link", name="Down now").click()

    expect(page).to_have_url(re.compile(r"/down$"))
    expect(page.locator("h1")).to_have_text("Down now")
    row = page.locator("#down-paas-api")
    expect(row).to_contain_text("HTTP 503 Service Unavailable")
    expect(row).to_contain_text("Platform team")
    expect(page.locator("#flapping-notify-api-status")).to_contain_text("Service team")
    row.get_by_role("link", name="GOV.UK PaaS").click()
    expect(page.locator("h1")).to_have_text("GOV.UK PaaS")
    expect(page.locator("#check-paas-api")).to_contain_text("Down")


def test_an_unknown_service_is_a_page_not_found(site, page):
    response = page.goto(site + "/services/no-such-service")

    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")


def test_a_missing_chromium_fails_in_ci_and_as_root_and_skips_only_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make setup"):
        _require_chromium()
    monkeypatch.delenv("CI")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="not CI or root"):
        _require_chromium()
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(pytest.fail.Exception):
        _require_chromium()

"""The silences and maintenance pages in a real browser: add through the form, see it listed, end it."""

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import expect
from test_pages_in_chromium import browser, page  # noqa: F401 - the shared browser fixtures

from signed_in import admin_with_password
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

NOW = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)  # a Tuesday, half an hour before the PaaS patching window


@pytest.fixture
def site(sqlite_db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[str]:
    clock = FixedClock(NOW)
    applied = apply_catalog_from(sqlite_db, example_catalog, clock=clock, trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied"
    admin_with_password(sqlite_db)
    settings = Settings(database_url=sqlite_db.url, secret_key="browser-tests-key-0123456789abcdef")
    context = AppContext(settings, sqlite_db, clock, build_registry(sqlite_db), example_catalog)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(context), log_config=None, access_log=False, lifespan="off"))
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


def test_a_silence_is_added_and_expired_in_the_browser(site, page):  # noqa: F811
    page.goto(site + "/silences")
    form = page.get_by_test_id("add-silence")
    form.get_by_label("Matchers, one a line").fill("service=pay-api\nseverity=~page|ticket")
    form.get_by_label("For how long").fill("90m")
    form.get_by_label("Why").fill("Deploying the card processor")
    form.get_by_role("button", name="Add silence").click()

    expect(page.get_by_test_id("done")).to_contain_text("Silence 1 added.")
    row = page.locator("#silence-1")
    expect(row).to_contain_text("severity=~page|ticket")
    expect(row).to_contain_text("Active, 1 hour 30 minutes left")

    row.get_by_role("button", name="Expire now").click()

    expect(page.get_by_test_id("done")).to_contain_text("Silence 1 expired.")
    expect(page.get_by_test_id("no-silences")).to_be_visible()
    expect(page.get_by_test_id("expired-silences")).to_contain_text("expired early by Asha Patel")


def test_a_refused_silence_keeps_the_form_and_says_why(site, page):  # noqa: F811
    page.goto(site + "/silences")
    page.get_by_label("Matchers, one a line").fill("service=~(")
    page.get_by_label("Why").fill("typo")
    page.get_by_role("button", name="Add silence").click()

    expect(page.get_by_test_id("error")).to_contain_text("the regex of service does not compile")
    expect(page.get_by_label("Matchers, one a line")).to_have_value("service=~(")
    expect(page).to_have_title("Error: Silences – Watchkeeper")


def test_the_maintenance_page_shows_the_next_patching_and_takes_a_window(site, page):  # noqa: F811
    page.goto(site + "/maintenance")

    patching = page.locator("#catalog-window-paas-weekly-patching")
    expect(patching).to_contain_text("2026-11-24 06:00:00 UTC")

    form = page.get_by_test_id("add-window")
    form.get_by_label("Name", exact=True).fill("Database upgrade")
    form.get_by_label("Platforms").check()
    form.get_by_label("Their ids").fill("paas")
    form.get_by_label("Start (UTC)").fill("2026-11-24 08:00")
    form.get_by_label("For how long").fill("2h")
    form.get_by_role("button", name="Add window").click()

    window = page.locator("#window-1")
    expect(window).to_contain_text("Database upgrade")
    expect(window).to_contain_text("platforms: paas")
    expect(window).to_contain_text("Scheduled")
    window.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("done")).to_contain_text("Window 1 cancelled.")
    expect(page.get_by_test_id("no-windows")).to_be_visible()

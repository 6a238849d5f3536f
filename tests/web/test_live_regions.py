"""The pages that refresh themselves (home, alerts, down now): each marks the part that changes, with a summary
that a screen reader hears when it changes, and a Refresh link to the same address for a browser without
JavaScript (ADR 0044)."""

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from console_site import FATIMA, NOW, ConsoleSite, console_site
from history_rows import HistoryRows
from watchkeeper.store import Database


def _summary(html: str) -> str:
    found = re.search(r'<div id="live" data-live="20" data-live-summary="([^"]*)"', html)
    assert found is not None, "no live region"
    return found[1]


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def test_the_down_page_summary_counts_what_is_down_flapping_and_failing(site):
    client = site.client(FATIMA)
    quiet = _summary(client.get("/down").text)
    rows = HistoryRows(site.db)
    rows.state("pay-frontend-home", "down", since=NOW - timedelta(minutes=5), failures=3, recent="000")
    rows.state("notify-smtp", "up", failures=1, recent="1110", last_at=NOW)

    assert quiet == "nothing is down"
    assert _summary(client.get("/down").text) == "1 check down, 1 check failing"


def test_the_alerts_page_summary_names_the_view_it_shows(site):
    client = site.client(FATIMA)
    site.alert("pay-frontend-home")

    assert _summary(client.get("/alerts").text) == "1 open alert"
    assert _summary(client.get("/alerts?status=resolved").text) == "0 resolved alerts"
    assert _summary(client.get("/alerts?status=all").text) == "1 alert"


def test_the_refresh_link_keeps_the_address_and_its_filters(site):
    page = site.client(FATIMA).get("/alerts?status=all").text

    assert '<a class="govuk-link" href="/alerts?status=all" data-testid="refresh">' in page
    assert "<span data-live-note hidden>" in page  # says it updates itself only once the script runs

"""The service and platform pages and the down-now view, served over both backends from rows the tests write:
state, reason, uptime figures worked out from those rows, days without data, links, and 404s."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from history_rows import HistoryRows
from watchkeeper.services.clock import FixedClock

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 26, tzinfo=UTC)


class _Page(HTMLParser):
    """Text of every element with an id or a data-testid, and the title of each uptime-bar day."""

    _VOID = frozenset({"link", "meta", "img", "br", "input", "hr", "line", "circle", "polyline"})

    def __init__(self) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.days: dict[str, dict[str, str]] = {}
        self._open: list[tuple[str, str | None]] = []
        self._day: tuple[str, str] | None = None
        self._bar: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            return
        found = dict(attrs)
        key = found.get("data-testid") or found.get("id")
        self._open.append((tag, key))
        if key:
            self.text[key] = ""
        if key and key.startswith("uptime-") and not key.startswith(("uptime-title", "uptime-desc", "uptime-percent")):
            self._bar = key.removeprefix("uptime-")
            self.days[self._bar] = {}
        if tag == "rect" and found.get("data-day") and self._bar:
            self._day = (self._bar, found["data-day"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        while self._open:
            opened, _key = self._open.pop()
            if opened == tag:
                break
        if tag == "rect":
            self._day = None

    def handle_data(self, data: str) -> None:
        for _tag, key in self._open:
            if key:
                self.text[key] += " " + data.strip()
        if self._day and self._open and self._open[-1][0] == "title":
            bar, day = self._day
            self.days[bar][day] = data.strip()


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.text = {key: re.sub(r"\s+", " ", value).strip() for key, value in page.text.items()}
    return page


@pytest.fixture
def pages(loaded):
    loaded.client.app.state.context.clock = FixedClock(NOW)
    return loaded


@pytest.fixture
def rows(pages):
    return HistoryRows(pages.db)


def test_a_service_page_shows_its_owner_platform_and_each_checks_state(pages, rows):
    rows.state(
        "pay-frontend-home",
        "down",
        since=NOW - timedelta(hours=2, minutes=5),
        failures=3,
        recent="1000",
        last_at=NOW - timedelta(seconds=20),
        last_ok=False,
        reason="HTTP 503 Service Unavailable",
        total_ms=87.6,
    )

    response = pages.client.get("/services/pay-frontend")
    page = parse(response.text)

    assert response.status_code == 200
    assert "GOV.UK Pay Service team" in page.text["owner"]
    assert "GOV.UK PaaS" in page.text["platform"]
    assert 'href="/platforms/paas"' in response.text
    home = page.text["check-pay-frontend-home"]
    assert "Down" in home
    assert "2026-11-26 12:00:30 UTC 2 hours 5 minutes" in home
    assert "2026-11-26 14:05:10 UTC 20 seconds ago, failed" in home
    assert "88 ms" in home
    assert "HTTP 503 Service Unavailable" in home
    assert "Waiting" in page.text["check-pay-frontend-certificate"]
    assert "None yet" in page.text["check-pay-frontend-certificate"]
    assert page.text["checks-summary"].startswith("1 of 2 checks are down.")


def test_the_uptime_bar_has_a_segment_a_day_with_figures_from_the_rollups(pages, rows):
    rows.rollups("pay-frontend-home", "day", [(MIDNIGHT - timedelta(days=d), 1440, 1 if d == 6 else 0) for d in (1, 6)])
    rows.rollups("pay-frontend-home", "hour", [(MIDNIGHT + timedelta(hours=h), 120, 0) for h in range(14)])
    rows.results("pay-frontend-home", [(NOW - timedelta(seconds=s), s != 10, 100.0) for s in (10, 20)])

    page = parse(pages.client.get("/services/pay-frontend").text)
    days = page.days["pay-frontend-home"]

    assert len(days) == 90
    assert days["2026-11-20"] == "2026-11-20: 99.93% up, 1 failure of 1,440"
    assert days["2026-11-25"] == "2026-11-25: 100% up, 0 failures of 1,440"
    assert days["2026-11-24"] == "2026-11-24: no data"
    assert days["2026-11-26"] == "2026-11-26 (today so far): 99.94% up, 1 failure of 1,682"
    # 1440 + 1440 + 14 x 120 + 2 = 4,562 results with 2 failures: 99.956...%, rounded down
    assert page.text["uptime-percent-pay-frontend-home"] == "99.95%"
    assert "87 days have no data" in page.text["uptime-desc-pay-frontend-home"]
    assert "2026-11-20 99.93% 1 1,440" in page.text["failure-days-pay-frontend-home"]
    assert page.text["uptime-percent-pay-frontend-certificate"] == "No results in the last 90 days."


def test_the_response_chart_is_drawn_from_minute_rollups_with_its_figures_in_a_table(pages, rows):
    start = NOW.replace(second=0) - timedelta(hours=2)
    rows.rollups(
        "pay-frontend-home",
        "minute",
        [(start + timedelta(minutes=m), 2, 1 if m == 30 else 0, 100.0 + m, 400.0 + m) for m in range(120)],
    )

    response = pages.client.get("/services/pay-frontend")
    page = parse(response.text)
    chart = response.text.split('data-testid="response-pay-frontend-home"', 1)[1].split("</figure>", 1)[0]

    assert '<title id="response-title-pay-frontend-home">' in chart
    assert "Response times of pay-frontend-home over the last 24 hours" in chart
    assert chart.count('<polyline class="wk-chart__p50"') == 1
    assert chart.count('<polyline class="wk-chart__p95"') == 1
    assert "<title>12:35 UTC: 1 failure of 2 results</title>" in chart
    summary = page.text["response-desc-pay-frontend-home"]
    assert "between 100 ms and 219 ms" in summary
    assert "highest 95th percentile was 519 ms, at 14:04 UTC" in summary
    assert "1 of 240 results failed, in 1 minute" in summary
    hours = page.text["response-hours-pay-frontend-home"]
    assert "2026-11-26 12:00 110 1 127 ms 454 ms" in hours  # 12:05-12:59: medians 100-154, slowest 454
    assert "No results in the last 24 hours." in page.text["response-pay-frontend-certificate"]


def test_recent_state_changes_are_listed_with_their_reasons(pages, rows):
    rows.change("pay-frontend-home", NOW - timedelta(days=2), "up", "down", "HTTP 502 Bad Gateway")
    rows.change("pay-frontend-home", NOW - timedelta(days=1), "down", "up", "HTTP 200 in 140 ms")

    changes = parse(pages.client.get("/services/pay-frontend").text).text["changes"]

    assert changes.index("HTTP 200 in 140 ms") < changes.index("HTTP 502 Bad Gateway")
    assert "2026-11-24 14:05:30 UTC pay-frontend-home Up → Down HTTP 502 Bad Gateway" in changes


def test_a_platform_page_shows_its_platform_team_and_the_services_on_it(pages, rows):
    response = pages.client.get("/platforms/paas")
    page = parse(response.text)

    assert response.status_code == 200
    assert "Reliability Engineering Platform team" in page.text["owner"]
    assert "Card payments frontend" in page.text["services-on"]
    assert "Amazon Web Services" in page.text["depends-on"]
    for check in ("paas-api", "paas-router-certificate", "paas-dns"):
        assert f"check-{check}" in page.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/services/no-such-service", "There is no service called ‘no-such-service’."),
        ("/platforms/pay-frontend", "There is no platform called ‘pay-frontend’."),
        ("/services/Not%20An%20Id", "There is no service with that id."),
        ("/services/%00", "There is no service with that id."),  # PostgreSQL would refuse the NUL
    ],
)
def test_unknown_ids_get_a_404_page_not_an_error(pages, path, message):
    response = pages.client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert '<h1 class="govuk-heading-xl">Page not found</h1>' in response.text
    assert parse(response.text).text["not-found"] == message


def test_the_catalogue_links_to_each_service_and_platform_page(pages):
    page = pages.client.get("/catalogue").text

    assert 'href="/services/pay-frontend"' in page
    assert 'href="/platforms/paas"' in page
    assert 'href="/platforms/aws"' in page


def test_the_down_view_says_plainly_when_nothing_is_down(pages):
    response = pages.client.get("/down")
    page = parse(response.text)

    assert response.status_code == 200
    assert "Nothing is down" in page.text["nothing-down"]
    assert page.text["none-down"] == "Nothing is down."
    assert 'href="/down" aria-current="page"' in response.text  # the navigation marks where you are


def test_the_down_view_lists_down_checks_with_their_owners_on_each_side_of_the_line(pages, rows):
    rows.state(
        "paas-api",
        "down",
        since=NOW - timedelta(hours=2, minutes=5),
        failures=9,
        recent="0" * 9,
        last_at=NOW,
        last_ok=False,
        reason="HTTP 503 Service Unavailable",
    )
    rows.state(
        "pay-frontend-home",
        "down",
        since=NOW - timedelta(minutes=3),
        failures=2,
        recent="1100",
        last_at=NOW,
        last_ok=False,
        reason="timed out after 10s",
    )
    rows.state("notify-api-status", "up", recent="10" * 10, last_at=NOW, last_ok=False, failures=1, reason="flaky")
    rows.state("notify-smtp", "up", failures=1, recent="1110", last_at=NOW, last_ok=False, reason="refused")

    page = parse(pages.client.get("/down").text)

    platform = page.text["down-paas-api"]
    assert "GOV.UK PaaS Platform" in platform
    assert "Reliability Engineering Platform team" in platform
    assert "2026-11-26 12:00:30 UTC for 2 hours 5 minutes" in platform
    assert "HTTP 503 Service Unavailable" in platform
    assert re.search(r"\d+ services run on it", platform)
    service = page.text["down-pay-frontend-home"]
    assert "Card payments frontend Service" in service
    assert "GOV.UK Pay Service team" in service
    assert "Its platform paas is down too" in service
    assert "for 3 minutes" in service
    assert page.text["down-summary"] == (
        "2 checks are down: 1 on a platform, which the platform team owns, and 1 on a service, which its own team owns."
    )
    assert "flaky" in page.text["flapping-notify-api-status"]
    assert "1 failed in a row" in page.text["failing-notify-smtp"]
    assert "nothing-down" not in page.text


def test_the_down_view_lists_checks_that_pass_with_a_warning(pages, rows):
    rows.state(
        "paas-router-certificate",
        "up",
        recent="1111",
        last_at=NOW,
        last_ok=True,
        reason="certificate expires in 20 days (22% of its lifetime)",
        warning=True,
    )
    rows.state("pay-frontend-home", "up", recent="1111", last_at=NOW, last_ok=True, reason="HTTP 200 in 5 ms")

    page = parse(pages.client.get("/down").text)

    assert "certificate expires in 20 days" in page.text["warning-paas-router-certificate"]
    assert "warning-pay-frontend-home" not in page.text
    assert "nothing-down" not in page.text  # a warning is worth a look, so the page is not all clear


def test_a_service_page_names_flapping_among_its_state_changes(pages, rows):
    rows.change("pay-frontend-home", NOW - timedelta(hours=1), "up", "up", "flapping: 6 changes ...", kind="flapping")
    rows.change("pay-frontend-home", NOW, "up", "up", "steady again: 5 changes ...", kind="steady")

    changes = parse(pages.client.get("/services/pay-frontend").text).text["changes"]

    assert "Began flapping" in changes
    assert "Stopped flapping" in changes
    assert "flapping: 6 changes" in changes

"""The catalogue page: platforms with owners, teams with people, services with owner, platform, dependencies
and checks; server-rendered, working without JavaScript."""

import re
from html.parser import HTMLParser


class _Rows(HTMLParser):
    """Text of each table row and summary card, keyed by the element's id."""

    _VOID = frozenset({"link", "meta", "img", "br", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self._depth = 0
        self._open: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            return
        self._depth += 1
        ident = dict(attrs).get("id")
        if ident and ident.startswith(("platform-", "service-", "team-")):
            self._open[ident] = self._depth
            self.sections[ident] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        self._open = {ident: depth for ident, depth in self._open.items() if depth < self._depth}
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        for ident in self._open:
            self.sections[ident] += " " + data.strip()


def _sections(html: str) -> dict[str, str]:
    parser = _Rows()
    parser.feed(html)
    return {key: re.sub(r"\s+", " ", value) for key, value in parser.sections.items()}


def test_the_catalogue_lists_platforms_with_owner_and_checks(loaded):
    sections = _sections(loaded.client.get("/").text)

    paas = sections["platform-paas"]
    assert "GOV.UK PaaS" in paas
    assert "Reliability Engineering" in paas
    assert "aws" in paas
    for check in ("paas-api", "paas-router-certificate", "paas-dns"):
        assert check in paas


def test_the_catalogue_lists_services_with_owner_platform_dependencies_and_checks(loaded):
    sections = _sections(loaded.client.get("/").text)

    frontend = sections["service-pay-frontend"]
    assert "Card payments frontend" in frontend
    assert "GOV.UK Pay" in frontend
    assert "paas" in frontend
    assert "pay-api" in frontend
    assert "pay-frontend-home http every 30s" in frontend
    assert "pay-frontend-certificate tls every 1h" in frontend


def test_the_catalogue_lists_teams_with_their_people(loaded):
    sections = _sections(loaded.client.get("/").text)

    assert "Platform team" in sections["team-reliability-engineering"]
    for name in ("Asha Patel", "Ben Okafor", "Ellis Morgan"):
        assert name in sections["team-reliability-engineering"]
    assert "Capacity managed by reliability-engineering" in sections["team-pay"]
    assert "Fatima Hussain" not in sections["team-notify"]


def test_pages_work_without_javascript_and_use_the_generic_header(loaded):
    page = loaded.client.get("/").text

    assert "govuk-generic-header" in page
    assert "GOV.UK" not in page.split("<main", 1)[0].split("<header", 1)[1]  # no crown, no GOV.UK name
    assert '<script type="module" src="/assets/govuk-frontend.min.js"></script>' in page
    forms = page.split("<form")[1:]
    assert forms, "the sign-out form is on every page"
    assert all('method="post"' in form.split(">", 1)[0] and 'type="submit"' in form for form in forms)
    assert "javascript:" not in page  # nothing here needs a script to submit
    assert "onclick" not in page


def test_the_stylesheet_and_scripts_are_served(loaded):
    css = loaded.client.get("/assets/console.css")
    init = loaded.client.get("/assets/init.js")

    assert css.status_code == 200
    assert "govuk-template" in css.text
    assert "GDS Transport" not in css.text  # the GOV.UK typeface is for GOV.UK services only
    assert init.status_code == 200
    assert "initAll" in init.text


def test_an_empty_database_says_how_to_load_a_catalog(served):
    page = served.client.get("/").text

    assert "No catalog has been loaded yet" in page


def test_the_footer_names_the_version_and_nothing_of_gov_uk(loaded):
    from watchkeeper import __version__

    footer = loaded.client.get("/").text.split('<footer class="govuk-footer">', 1)[1]

    assert f"Watchkeeper {__version__}" in footer
    assert "Crown copyright" not in footer
    assert "Open Government Licence" not in footer

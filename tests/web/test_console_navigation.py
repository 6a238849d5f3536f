"""The console's navigation says where a person is: the link to the page they are on is the current page
(aria-current="page"), and the link to the section of a page under it is marked as the current section
(aria-current="true"). The demo's phase banner sits in the header, with the navigation."""

import re


def _marked(html: str) -> dict[str, str]:
    """Link target -> aria-current of each marked link of the service navigation."""
    return dict(re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)"\s+aria-current="(\w+)"', html))


MARKED = {
    "/": {"/": "page"},
    "/catalogue": {"/catalogue": "page"},
    "/audit": {"/audit": "page"},
    "/audit/999": {"/audit": "true"},
    "/alerts": {"/alerts": "page"},
    "/alerts?status=resolved": {"/alerts": "page"},
    "/alerts/999": {"/alerts": "true"},
    "/oncall/schedules/re-primary": {"/oncall": "true"},
    "/integrations/pay-sentry/key": {"/integrations": "true"},
    "/reports/on-call": {"/reports/on-call": "page"},
    "/page/1-0123456789abcdef0123456789abcdef": {},
}


def test_the_navigation_marks_the_current_page_or_its_section(loaded):
    seen = {path: _marked(loaded.client.get(path).text) for path in MARKED}  # one database for every page

    assert seen == MARKED


def test_the_demo_banner_is_in_the_header_landmark(loaded):
    loaded.client.app.state.context.settings = loaded.client.app.state.context.settings.model_copy(
        update={"demo": True}
    )

    page = loaded.client.get("/").text

    header = page[page.index('<header class="govuk-template__header">') : page.index("</header>")]
    assert "govuk-phase-banner" in header
    assert "Demo data on loopback targets" in header
    assert page.count("Demo data on loopback targets") == 1, "once, not also below the header"

"""Integration keys from the console in a real browser: issue, rotate after a confirmation, the old key refused at
once, the key gone from history, and a form posted from another site refused with a page saying why."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from test_pages_in_chromium import browser, page  # noqa: F401 - the shared browser fixtures
from test_suppression_in_chromium import site  # noqa: F401 - a server over the example catalog

KEY = re.compile(r"[0-9a-f]{32}")


def _alertmanager_status(page, site: str, key: str) -> int:  # noqa: F811
    return page.request.post(f"{site}/api/v1/integrations/alertmanager/{key}", data={"alerts": []}).status


def test_a_key_is_issued_rotated_and_shown_only_once(site, page):  # noqa: F811
    page.goto(site + "/integrations")
    row = page.locator("#integration-pay-alertmanager")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        row.get_by_role("button", name="Issue a key").click()

    first = page.get_by_test_id("key").inner_text().strip()
    assert KEY.fullmatch(first)
    assert posted.value.headers["cache-control"] == "no-store"
    expect(page.get_by_test_id("snippet")).to_contain_text(f"url: {site}/api/v1/integrations/alertmanager/{first}")

    page.get_by_role("link", name="Back to integrations").click()
    expect(page.get_by_test_id("issued-pay-alertmanager")).to_contain_text(f"ending {first[-4:]}")
    expect(page.get_by_test_id("issued-pay-alertmanager")).to_contain_text("by Asha Patel")
    assert first not in page.content()

    row.get_by_role("button", name="Rotate key").click()
    expect(page.get_by_test_id("warning")).to_contain_text(f"The key ending {first[-4:]} stops working")
    page.get_by_test_id("rotate").click()

    second = page.get_by_test_id("key").inner_text().strip()
    assert KEY.fullmatch(second)
    assert second != first
    expect(page.get_by_test_id("replaced")).to_contain_text(f"ending {first[-4:]}, no longer works")
    assert _alertmanager_status(page, site, first) == 404
    assert _alertmanager_status(page, site, second) == 200


def test_going_back_to_the_key_page_does_not_show_the_key_again(site, page):  # noqa: F811
    page.goto(site + "/integrations")
    row = page.locator("#integration-pay-sentry")
    row.get_by_role("button", name="Issue a key").click()
    key = page.get_by_test_id("key").inner_text().strip()
    page.get_by_role("link", name="Back to integrations").click()
    expect(page.get_by_test_id("issued-pay-sentry")).to_be_visible()

    # Without `no-store`, Chromium shows the post's answer again from its cache, key and all; with it, it
    # refuses, offering to send the form again (which would ask before replacing the key, as the page tests show).
    with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
        page.go_back()
    expect(page).to_have_url(re.compile(r"^chrome-error://"))  # the browser's own page, not ours
    page.wait_for_load_state()

    assert key not in page.content()


def test_a_form_on_another_site_cannot_rotate_a_key(site, page):  # noqa: F811
    elsewhere = "http://elsewhere.test/"
    form = (
        f'<form method="post" action="{site}/integrations/pay-alertmanager/key">'
        '<input type="hidden" name="replacing" value="none"><input name="author" value="Mallory">'
        "<button>Win a prize</button></form>"
    )
    page.route(elsewhere, lambda route: route.fulfill(content_type="text/html", body=form))
    page.goto(elsewhere)
    page.get_by_role("button", name="Win a prize").click()

    expect(page.get_by_test_id("cross-site")).to_contain_text("sent from a page on another site")
    expect(page).to_have_title("Refused: a form from another site – Watchkeeper")
    page.goto(site + "/integrations")
    expect(page.locator("#integration-pay-alertmanager")).to_contain_text("No key")

"""The silences and maintenance pages: lists, forms that work without JavaScript, reasons shown on refusal,
and no change from a form posted by another site."""

import re

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _add_silence(client, **fields):
    form = {
        "matchers": "service=pay-api\nseverity=~page|ticket",
        "duration": "2h",
        "comment": "deploy",
    }
    return client.post("/silences", data=form | fields, headers=SAME_SITE, follow_redirects=False)


def test_the_navigation_leads_to_both_pages(loaded):
    page = loaded.client.get("/").text

    assert 'href="/silences"' in page
    assert 'href="/maintenance"' in page


def test_a_silence_added_by_the_form_is_listed_and_expired_by_its_button(loaded):
    client = loaded.client

    added = _add_silence(client)
    page = client.get(added.headers["location"]).text
    silence_id = re.search(r'id="silence-(\d+)"', page).group(1)
    expired = client.post(f"/silences/{silence_id}/expire", headers=SAME_SITE, follow_redirects=True)

    assert added.status_code == 303
    assert "Silence " + silence_id + " added." in _text(page)
    assert "service=pay-api" in page
    assert "severity=~page|ticket" in page
    assert "Asha" in page
    assert "Active, 2 hours left" in _text(page) or "Active, 1 hour 59 minutes left" in _text(page)
    assert expired.status_code == 200
    assert f"Silence {silence_id} expired." in _text(expired.text)
    assert 'data-testid="no-silences"' in expired.text
    assert "expired early by Asha Patel" in _text(expired.text)


def test_a_refused_silence_shows_the_reason_and_keeps_what_was_typed(loaded):
    response = _add_silence(loaded.client, matchers="service=~(", comment="keep this")

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "the regex of service does not compile" in response.text
    assert "keep this" in response.text
    assert "<title>Error: Silences" in response.text


def test_a_form_from_another_site_changes_nothing(loaded):
    client = loaded.client
    form = {"matchers": "team=pay", "duration": "2h", "comment": "x"}

    cross = client.post("/silences", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    by_origin = client.post("/silences", data=form, headers={"Origin": "https://elsewhere.example"})

    assert cross.status_code == 403
    assert by_origin.status_code == 403
    assert client.get("/api/v1/silences?state=all").json()["items"] == []


def test_the_maintenance_page_shows_catalog_windows_with_their_next_occurrence(loaded):
    page = loaded.client.get("/maintenance").text
    row = _text(page.split('id="catalog-window-paas-weekly-patching"', 1)[1].split("</tr>", 1)[0])

    assert "FREQ=WEEKLY;BYDAY=TU" in row
    assert "Europe/London" in row
    assert "UTC" in row
    assert 'data-testid="no-windows"' in page


def test_a_window_added_by_the_form_is_listed_and_cancelled(loaded):
    client = loaded.client
    form = {"name": "Database upgrade", "kind": "service", "ids": "pay-api, pay-frontend", "duration": "1h"}

    added = client.post("/maintenance", data=form, headers=SAME_SITE, follow_redirects=False)
    page = client.get(added.headers["location"]).text
    window_id = re.search(r'id="window-(\d+)"', page).group(1)
    cancelled = client.post(f"/maintenance/{window_id}/cancel", headers=SAME_SITE, follow_redirects=True)

    assert added.status_code == 303
    assert "Database upgrade" in page
    assert "pay-api, pay-frontend" in page
    assert "On now" in page
    assert f"Window {window_id} cancelled." in _text(cancelled.text)
    assert "cancelled by Asha Patel" in _text(cancelled.text)


def test_a_refused_window_shows_the_reason(loaded):
    form = {"name": "X", "kind": "platform", "ids": "nowhere", "duration": "1h"}

    response = loaded.client.post("/maintenance", data=form, headers=SAME_SITE)

    assert response.status_code == 400
    assert "no platform &#39;nowhere&#39; in the catalog" in response.text
    assert 'value="nowhere"' in response.text

"""Issuing and rotating integration keys from the console: the key is shown once, with its URL, in an answer no
cache keeps; rotation asks first and kills the old key at once; a reload never replaces the key just shown; a
form from another site is refused with a page saying why; and the key never reaches the log or a later page."""

import html
import logging
import re
from datetime import UTC, datetime

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.integration_keys import rotate

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
KEY = re.compile(r'data-testid="key"><code>([0-9a-f]{32})</code>')


def text_of(page: str) -> str:
    """The words of a page as a reader sees them: tags gone, spaces collapsed, none before punctuation."""
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    return html.unescape(re.sub(r" ([,.:])(?=\s|$)", r"\1", words))


def form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `action`, as the browser would send them."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))


def post_from_list(client, integration_id: str, author: str = "Asha Patel"):
    action = f"/integrations/{integration_id}/key"
    fields = form_fields(client.get("/integrations").text, action)
    return client.post(action, data=fields | {"author": author}, headers=SAME_SITE)


def confirm(client, page: str, integration_id: str, author: str = "Asha Patel"):
    action = f"/integrations/{integration_id}/key"
    return client.post(action, data=form_fields(page, action) | {"author": author}, headers=SAME_SITE)


def shown_key(page: str) -> str:
    match = KEY.search(page)
    assert match, "no key on the page"
    return match.group(1)


def alertmanager_status(client, key: str) -> int:
    return client.post(f"/api/v1/integrations/alertmanager/{key}", json={"alerts": []}).status_code


def test_a_first_key_is_issued_at_once_and_shown_with_its_url_and_a_webhook_configs_snippet(loaded):
    response = post_from_list(loaded.client, "pay-alertmanager")

    key = shown_key(response.text)
    url = f"http://testserver/api/v1/integrations/alertmanager/{key}"
    page = text_of(response.text)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "This is the only time this key is shown" in page
    assert f"Webhook URL {url}" in page
    assert (
        f"receivers:\n  - name: watchkeeper\n    webhook_configs:\n      - url: {url}\n        send_resolved: true"
        in html.unescape(response.text)
    )
    assert re.search(r"Issued \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by Asha Patel", page)
    assert alertmanager_status(loaded.client, key) == 200


def test_the_list_says_who_issued_each_key_and_when_but_never_shows_it(loaded):
    key = shown_key(post_from_list(loaded.client, "pay-alertmanager", author="Asha Patel").text)

    listed = loaded.client.get("/integrations").text
    asked = loaded.client.get("/integrations/pay-alertmanager/key").text

    cell = listed.split('data-testid="issued-pay-alertmanager">', 1)[1].split("<form", 1)[0]
    issued = text_of(cell)
    assert re.fullmatch(rf"ending {key[-4:]}, \d{{4}}-\d\d-\d\d \d\d:\d\d UTC by Asha Patel", issued)
    assert key not in listed
    assert key not in asked
    assert 'data-testid="key-pay-alertmanager">Rotate key' in listed.replace("\n", "").replace("  ", "")


def test_rotating_asks_first_and_changes_nothing_until_confirmed(loaded):
    old = rotate(loaded.db, "pay-alertmanager", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), cli_actor("ci")).key

    asked = post_from_list(loaded.client, "pay-alertmanager", author="Ben Okafor")

    page = text_of(asked.text)
    assert asked.status_code == 200
    assert KEY.search(asked.text) is None
    assert f"The key ending {old[-4:]} stops working the moment you rotate" in page
    assert "issued 2026-11-20 09:00:00 UTC by ci" in page
    assert alertmanager_status(loaded.client, old) == 200


def test_a_confirmed_rotation_shows_the_new_key_and_the_old_one_is_refused_at_once(loaded):
    old = rotate(loaded.db, "pay-alertmanager", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), cli_actor("tests")).key
    asked = post_from_list(loaded.client, "pay-alertmanager", author="Ben Okafor")

    rotated = confirm(loaded.client, asked.text, "pay-alertmanager", author="Ben Okafor")

    new = shown_key(rotated.text)
    assert rotated.status_code == 200
    assert rotated.headers["cache-control"] == "no-store"
    assert new != old
    assert f"The previous key, ending {old[-4:]}, no longer works" in text_of(rotated.text)
    assert alertmanager_status(loaded.client, old) == 404
    assert alertmanager_status(loaded.client, new) == 200


def test_a_reload_of_the_new_key_page_asks_again_instead_of_killing_the_key_it_showed(loaded):
    rotate(loaded.db, "pay-alertmanager", datetime(2026, 11, 20, 9, 0, tzinfo=UTC), cli_actor("tests"))
    asked = post_from_list(loaded.client, "pay-alertmanager")
    first = confirm(loaded.client, asked.text, "pay-alertmanager")
    key = shown_key(first.text)

    again = confirm(loaded.client, asked.text, "pay-alertmanager")  # the browser sends the same form again

    assert again.status_code == 409
    assert KEY.search(again.text) is None
    assert key not in again.text
    assert "The key is no longer the one your page showed, so nothing was changed." in text_of(again.text)
    assert f"Its key now ends {key[-4:]}" in text_of(again.text)
    assert alertmanager_status(loaded.client, key) == 200


def test_two_people_issuing_the_first_key_at_once_get_one_key_and_one_question(loaded):
    fields = form_fields(loaded.client.get("/integrations").text, "/integrations/pay-sentry/key")
    first = loaded.client.post("/integrations/pay-sentry/key", data=fields | {"author": "A"}, headers=SAME_SITE)
    second = loaded.client.post("/integrations/pay-sentry/key", data=fields | {"author": "B"}, headers=SAME_SITE)

    assert first.status_code == 200
    assert second.status_code == 409
    assert f"Its key now ends {shown_key(first.text)[-4:]}" in text_of(second.text)


def test_a_form_from_another_site_is_refused_with_a_page_that_says_why(loaded):
    client = loaded.client
    fields = form_fields(client.get("/integrations").text, "/integrations/pay-alertmanager/key")
    data = fields | {"author": "Mallory"}

    cross = client.post("/integrations/pay-alertmanager/key", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    sibling = client.post("/integrations/pay-alertmanager/key", data=data, headers={"Sec-Fetch-Site": "same-site"})
    by_origin = client.post("/integrations/pay-alertmanager/key", data=data, headers={"Origin": "https://evil.example"})

    for refused in (cross, sibling, by_origin):
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Your browser says this form was sent from a page on another site" in text_of(refused.text)
        assert KEY.search(refused.text) is None
    assert 'href="/integrations"' in cross.text
    assert "Origin: https://evil.example" in text_of(by_origin.text)
    assert "No key" in text_of(client.get("/integrations").text.split('id="integration-pay-alertmanager"')[1])


def test_the_silences_form_from_another_site_gets_the_same_page(loaded):
    refused = loaded.client.post(
        "/silences",
        data={"matchers": "team=pay", "duration": "2h", "author": "M", "comment": "x"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert refused.status_code == 403
    assert "A form from another site was refused" in refused.text
    assert 'href="/silences"' in refused.text


def test_the_sentry_page_gives_the_webhook_url_to_paste(loaded):
    response = post_from_list(loaded.client, "pay-sentry")

    key = shown_key(response.text)
    page = text_of(response.text)
    assert f"Webhook URL http://testserver/api/v1/integrations/sentry/{key}" in page
    assert "Alert Rule Action" in page


def test_a_post_without_the_version_of_a_page_asks_rather_than_issues(loaded):
    response = loaded.client.post("/integrations/pay-sentry/key", data={"author": "A"}, headers=SAME_SITE)

    assert response.status_code == 200
    assert KEY.search(response.text) is None
    assert 'data-testid="changed"' not in response.text
    assert "No key" in text_of(loaded.client.get("/integrations").text.split('id="integration-pay-sentry"')[1])


def test_the_pagerduty_page_gives_the_routing_key_and_the_url(loaded):
    response = post_from_list(loaded.client, "re-events")

    key = shown_key(response.text)
    page = html.unescape(response.text)
    assert "Events API v2 URL" in page
    assert "pagerduty_configs:\n  - routing_key: " + key + "\n    url: http://testserver/v2/enqueue" in page
    accepted = loaded.client.post(
        "/v2/enqueue",
        json={
            "routing_key": key,
            "event_action": "trigger",
            "payload": {"summary": "disk", "source": "db-1", "severity": "info"},
        },
    )
    assert accepted.status_code == 202, accepted.text


def test_an_unknown_integration_is_a_page_not_found(loaded):
    posted = loaded.client.post("/integrations/nope/key", data={"author": "A"}, headers=SAME_SITE)
    asked = loaded.client.get("/integrations/nope/key")

    assert posted.status_code == 404
    assert asked.status_code == 404
    assert "Page not found" in posted.text


def test_keys_issued_from_the_console_never_reach_the_log(loaded, caplog):
    caplog.set_level(logging.DEBUG)
    first = shown_key(post_from_list(loaded.client, "pay-alertmanager").text)
    asked = post_from_list(loaded.client, "pay-alertmanager")
    second = shown_key(confirm(loaded.client, asked.text, "pay-alertmanager").text)

    logged = caplog.text + "\n".join(str(record.msg) for record in caplog.records)
    assert "integration key issued" in logged
    assert "/integrations/pay-alertmanager/key" in logged
    assert first not in logged
    assert second not in logged

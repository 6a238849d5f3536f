"""The on-call pages: who is on call now per schedule, a schedule's week and next two weeks in its own timezone
(layers, overrides and gaps told apart), forms that create and remove overrides without JavaScript, reasons in
the GOV.UK error summary, a calendar link shown once, and well-formed HTML throughout."""

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Check(HTMLParser):
    """Well-formed enough for a browser to agree with us: every element closed in order, ids unique, every form
    field labelled, every link and form going somewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.fields: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.fields.append(attributes.get("id") or "")
        if tag == "a" and not attributes.get("href"):
            self.problems.append("a link without href")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
            return
        self.open.pop()


def check_html(page: str) -> None:
    checker = _Check()
    checker.feed(page)
    duplicates = {i for i in checker.ids if checker.ids.count(i) > 1}
    unlabelled = [f for f in checker.fields if f not in checker.labels]
    assert checker.problems == []
    assert checker.open == []
    assert duplicates == set()
    assert unlabelled == []


def text_of(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def section(page: str, marker: str) -> str:
    return text_of(page.split(marker, 1)[1].split("</table>", 1)[0])


def add_override(client, **fields):
    form = {
        "person": "fatima",
        "replaces": "",
        "from": "2099-01-06 09:00",
        "to": "2099-01-06 17:00",
        "reason": "dentist",
    } | fields
    return client.post(
        "/oncall/schedules/notify-on-call/overrides", data=form, headers=SAME_SITE, follow_redirects=False
    )


def test_the_navigation_leads_to_the_on_call_page_which_lists_every_schedule(loaded):
    page = loaded.client.get("/oncall")

    assert page.status_code == 200
    assert 'href="/oncall"' in loaded.client.get("/").text
    check_html(page.text)
    row = section(page.text, 'id="schedule-re-primary"').split("Next", 1)[0]
    assert "RE primary on call" in row
    assert "Team reliability-engineering · Europe/London" in row
    assert re.search(r"until \w{3} \d{1,2} \w{3} \d\d:\d\d (GMT|BST)", row)
    for schedule in ("notify-on-call", "pay-on-call", "re-secondary"):
        assert f'href="/oncall/schedules/{schedule}"' in page.text


def test_a_schedule_page_shows_a_week_in_its_timezone_with_layers_overrides_and_gaps(loaded):
    client = loaded.client
    added = add_override(client, **{"from": "2099-01-06 09:00", "to": "2099-01-06 17:00"})

    page = client.get("/oncall/schedules/notify-on-call?week=2099-01-07")

    assert added.status_code == 303, added.text
    assert page.status_code == 200
    check_html(page.text)
    assert "Week of Monday 5 January 2099" in text_of(page.text)
    tuesday = section(page.text, 'id="day-2099-01-06"')
    assert "09:00 GMT–17:00 GMT Fatima Hussain Override" in tuesday
    assert "00:00 GMT–09:00 GMT" in tuesday
    assert "wk-oncall--override" in page.text
    assert 'href="/oncall/schedules/notify-on-call?week=2098-12-29"' in page.text
    assert 'href="/oncall/schedules/notify-on-call?week=2099-01-12"' in page.text


def test_a_summer_week_says_bst(loaded):
    page = loaded.client.get("/oncall/schedules/re-primary?week=2099-07-01").text

    assert "BST" in section(page, 'id="day-2099-06-29"')
    assert "GMT" not in section(page, 'id="day-2099-06-29"')


def test_a_gap_is_highlighted(loaded):
    # re-primary's weeknight layer covers Monday to Thursday nights only in the example; a catalog without its
    # weekly layer leaves the days uncovered.
    loaded.edit(
        "teams/reliability-engineering.yaml",
        "          - name: weekly\n            start: 2026-01-07T09:30\n            rotation: [asha, ben, chen, dami]\n"
        "            turn: 1w              # hands over every Wednesday at 09:30 local time, also across clock"
        " changes\n",
        "",
    )
    assert loaded.client.post("/api/v1/catalog/reload").status_code == 200

    page = loaded.client.get("/oncall/schedules/re-primary?week=2099-01-05").text

    assert "Nobody on call" in section(page, 'id="day-2099-01-06"')
    assert "wk-oncall--gap" in page


def test_an_override_made_by_the_form_is_listed_and_removed_by_its_button(loaded):
    client = loaded.client

    added = add_override(client)
    page = client.get(added.headers["location"]).text
    override_id = re.search(r'id="override-(\d+)"', page).group(1)
    removed = client.post(
        f"/oncall/schedules/notify-on-call/overrides/{override_id}/remove",
        headers=SAME_SITE,
        follow_redirects=True,
    )

    assert f"Override {override_id} created." in text_of(page)
    row = text_of(page.split(f'id="override-{override_id}"', 1)[1].split("</tr>", 1)[0])
    assert "Fatima Hussain for the whole schedule" in row
    assert "Tue 6 Jan 09:00 GMT" in row
    assert "Asha Patel dentist" in row  # whoever is signed in
    assert f"Override {override_id} removed." in text_of(removed.text)
    assert 'data-testid="no-overrides"' in removed.text
    check_html(removed.text)


def test_the_form_reads_times_in_the_schedules_timezone(loaded):
    add_override(loaded.client, **{"from": "2099-07-01 09:00", "to": "2099-07-01 17:00"}, replaces="ines")

    stored = loaded.client.get("/api/v1/schedules/notify-on-call/overrides").json()["items"]

    assert [(o["starts_at"], o["ends_at"], o["replaces"]) for o in stored] == [
        ("2099-07-01T08:00:00Z", "2099-07-01T16:00:00Z", "ines")
    ]


@pytest.mark.parametrize(
    ("fields", "reason", "field"),
    [
        ({"person": ""}, "person: no person '' in the catalog", "person"),
        ({"to": "2099-01-06 08:00"}, "the end must come after the start", "to"),
        ({"to": "tomorrow"}, "to: 'tomorrow' is not a date and time", "to"),
        ({"to": ""}, "to: enter when the override ends", "to"),
        ({"reason": ""}, "reason is required", "reason"),
        ({"replaces": "asha"}, "replaces: 'asha' is not in the rotations", "replaces"),
    ],
)
def test_a_refused_override_shows_the_reason_in_the_error_summary_and_keeps_what_was_typed(
    loaded, fields, reason, field
):
    sent = {"reason": "Keep Me", "from": "2099-01-06 09:00"} | fields
    response = add_override(loaded.client, **sent)

    assert response.status_code == 400
    assert "<title>Error: Notify on call" in response.text or "<title>Error: notify-on-call" in response.text
    summary = response.text.split('data-testid="error"', 1)[1].split("</div>", 3)
    assert reason in html.unescape("".join(summary))
    assert f'href="#{field}"' in response.text
    assert html.escape(sent["reason"]) in response.text  # what was typed is kept
    assert 'value="2099-01-06 09:00"' in response.text
    check_html(response.text)


def test_an_unknown_schedule_is_a_page_not_found_and_a_bad_week_is_explained(loaded):
    missing = loaded.client.get("/oncall/schedules/nope")
    bad_week = loaded.client.get("/oncall/schedules/re-primary?week=soon")

    assert missing.status_code == 404
    assert bad_week.status_code == 400
    assert "week: &#39;soon&#39; is not a date" in bad_week.text


def test_a_form_from_another_site_changes_nothing(loaded):
    form = {"person": "fatima", "to": "2099-01-06 17:00", "reason": "x"}

    cross = loaded.client.post(
        "/oncall/schedules/notify-on-call/overrides", data=form, headers={"Sec-Fetch-Site": "cross-site"}
    )
    feed = loaded.client.post(
        "/oncall/schedules/notify-on-call/feed", data={"author": "M"}, headers={"Origin": "https://x.example"}
    )

    assert (cross.status_code, feed.status_code) == (403, 403)
    assert loaded.client.get("/api/v1/schedules/notify-on-call/overrides?state=all").json()["items"] == []


def test_a_calendar_link_is_shown_once_and_a_second_asks_before_replacing_it(loaded):
    client = loaded.client
    action = "/oncall/schedules/notify-on-call/feed"

    first = client.post(action, data={"whose": "schedule"}, headers=SAME_SITE)
    url = re.search(r'data-testid="url"><code>([^<]+)</code>', first.text).group(1)
    served = client.get(url.removeprefix("http://testserver")).status_code
    again = client.post(action, data={"whose": "schedule"}, headers=SAME_SITE)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', again.text))
    confirmed = client.post(action, data=fields, headers=SAME_SITE)
    resent = client.post(action, data=fields, headers=SAME_SITE)

    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    assert url.startswith("http://testserver/calendar/")
    assert served == 200
    check_html(first.text)
    assert "Replace the calendar link of" in text_of(again.text)
    assert fields["replacing"] != "none"
    assert confirmed.status_code == 200
    new_url = re.search(r'data-testid="url"><code>([^<]+)</code>', confirmed.text).group(1)
    assert new_url != url
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    assert resent.status_code == 409  # the form sent twice asks again rather than killing the new link
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200
    assert url.rsplit("/", 1)[1] not in client.get("/oncall/schedules/notify-on-call").text


def test_a_persons_calendar_link_names_who_issued_it(loaded):
    action = "/oncall/schedules/notify-on-call/feed"

    person = loaded.client.post(action, data={"whose": "person:jonah"}, headers=SAME_SITE)
    page = loaded.client.get("/oncall/schedules/notify-on-call")

    assert "Calendar link for Jonah" in person.text
    assert page.status_code == 200


def test_times_are_local_with_the_abbreviation(loaded):
    now = datetime.now(UTC)
    page = loaded.client.get("/oncall/schedules/re-primary").text

    assert re.search(r"\d\d:\d\d (GMT|BST)", section(page, 'data-testid="upcoming"'))
    assert str(now.year) in text_of(page) or str(now.year + 1) in text_of(page)

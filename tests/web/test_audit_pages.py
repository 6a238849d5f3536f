"""The audit log in the console (`/audit`, `/audit/ID`) and the API (`/api/v1/audit`), on both databases: newest
first with the fields that changed, every filter, paging, and account and token events shown only to admins
and to the person concerned."""

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from console_site import FATIMA, GEORGE, INES, NOW, PLATFORM_ADMIN, VIEWER, ConsoleSite, console_site
from signed_in import token_for
from watchkeeper.domain.access import Principal
from watchkeeper.services.audit import Actor, record
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store

SILENCE_BEFORE = {"matchers": ["service=pay-api"], "ends_at": "2026-11-26T12:00:00+00:00", "author": "Asha"}
SILENCE_AFTER = {**SILENCE_BEFORE, "ends_at": "2026-11-26T13:30:00+00:00"}


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).replace(" :", ":")


def _entry_ids(markup: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr class="govuk-table__row" id="entry-(\d+)">', markup)]


def _actor(name: str, via: str = "console") -> Actor:
    return Actor(Principal(name=name, platform_admin=True), via)


def _event(site: ConsoleSite, action: str, obj: tuple[str, str], team: str | None, **more) -> int:
    with site.db.transaction() as connection:
        return record(
            connection,
            more.pop("actor", _actor("Asha Patel")),
            more.pop("at", NOW - timedelta(hours=1)),
            action,
            obj,
            team,
            **more,
        )


def _account_id(db: Database, email: str) -> int:
    with db.reading() as connection:
        row = account_store.by_email(connection, email)
    assert row is not None
    return row.id


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def test_the_log_shows_who_did_what_when_and_through_what_with_the_fields_that_changed(site):
    event = _event(site, "silence.update", ("silence", "3"), "pay", before=SILENCE_BEFORE, after=SILENCE_AFTER)

    page = site.client(FATIMA).get("/audit")

    assert page.status_code == 200
    row = page.text.split(f'id="entry-{event}"', 1)[1].split("</tr>", 1)[0]
    assert "2026-11-26 13:00:00 UTC" in row
    assert "Asha Patel" in row
    assert "Console" in row
    assert "silence.update" in row
    assert 'href="/silences">3</a>' in row
    assert "team pay" in row
    changed = _text(row.split(f'data-testid="changes-{event}"', 1)[1])
    assert "ends_at: was 2026-11-26T12:00:00+00:00 → now 2026-11-26T13:30:00+00:00" in changed
    assert "author" not in changed  # unchanged fields are not listed
    assert '<del class="wk-before">' in row


def test_newest_entries_come_first_and_older_ones_a_page_at_a_time(site):
    made = [
        _event(site, "silence.create", ("silence", str(n)), "pay", at=NOW + timedelta(minutes=n)) for n in range(60)
    ]
    client = site.client(FATIMA)

    first = client.get("/audit?kind=silence").text
    older = re.search(r'href="([^"]+)" data-testid="older"', first)
    assert older is not None
    second = client.get(older[1].replace("&amp;", "&")).text

    assert _entry_ids(first) == list(reversed(made))[:50]
    assert _entry_ids(second) == list(reversed(made))[50:]
    assert "No older entries" in second
    assert 'data-testid="older"' not in second
    assert "Back to the newest entries" in second


def test_each_filter_narrows_the_log(site):
    pay = _event(site, "silence.create", ("silence", "1"), "pay", at=NOW - timedelta(days=3))
    notify = _event(site, "maintenance.create", ("maintenance", "4"), "notify", actor=_actor("Ines Costa", "api"))
    client = site.client(FATIMA)

    def shown(query: str) -> set[int]:
        return set(_entry_ids(client.get("/audit?" + query).text)) & {pay, notify}

    assert shown("") == {pay, notify}
    assert shown("team=pay") == {pay}
    assert shown("kind=maintenance") == {notify}
    assert shown("kind=silence&id=1") == {pay}
    assert shown("kind=silence&id=2") == set()
    assert shown("who=ines") == {notify}  # part of a name, in any case
    assert shown("action=silence.create") == {pay}
    assert shown("via=api") == {notify}
    assert shown("from=2026-11-25") == {notify}
    assert shown("to=2026-11-23") == {pay}
    assert shown("from=2026-11-23&to=2026-11-23") == {pay}


def test_who_as_an_email_finds_that_accounts_changes(site):
    site.client(FATIMA)
    fatima = Principal("Fatima Hussain", account_id=_account_id(site.db, FATIMA.email), member_of=frozenset({"pay"}))
    hers = _event(site, "silence.create", ("silence", "1"), "pay", actor=Actor(fatima, "console"))
    other = _event(site, "silence.create", ("silence", "2"), "pay")

    ids = _entry_ids(site.client(INES).get("/audit?who=Fatima.Hussain@example.gov.uk").text)

    assert hers in ids
    assert other not in ids
    assert _entry_ids(site.client(INES).get("/audit?who=nobody@example.org").text) == []


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=yesterday", "from", "Enter the from day as a date, such as 2026-11-27"),
        ("to=0001-01-01", "to", "Enter the to day between 1970 and 8999"),
        ("from=2026-11-27&to=2026-11-26", "to", "The last day must be the same as or after the first day"),
        ("team=no+such+team", "team", "Team: &#39;no such team&#39; is not an id the audit log could hold"),
        ("via=pigeon", "via", "Via: &#39;pigeon&#39; is not one of console, api, cli, link, engine"),
        ("before=abc", "team", "The page asked for does not exist"),
    ],
)
def test_a_filter_that_cannot_be_read_says_why_beside_it_and_keeps_what_was_typed(site, query, field, message):
    page = site.client(FATIMA).get("/audit?" + query)

    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert f'href="#filter-{field}"' in page.text
    assert message in page.text
    assert "<title>Error: Audit log" in page.text


def test_an_empty_log_and_an_empty_filter_say_so(site):
    client = site.client(VIEWER)

    assert "No entries match these filters" in client.get("/audit?kind=nothing-of-this-kind").text


def test_a_member_reads_their_own_sign_ins_but_not_another_persons_account_events(site):
    fatima = site.client(FATIMA)
    site.client(INES)
    fatima_id, ines_id = _account_id(site.db, FATIMA.email), _account_id(site.db, INES.email)

    text = _text(fatima.get("/audit?kind=account").text)

    assert f"account.sign-in account {fatima_id}" in text
    assert f"account {ines_id}" not in text


def test_a_team_admin_reads_the_account_events_of_their_team_only(site):
    admin = site.client(GEORGE)
    pay_event = _event(site, "account.disable", ("account", "901"), "pay")
    notify_event = _event(site, "account.disable", ("account", "902"), "notify")

    ids = _entry_ids(admin.get("/audit?kind=account").text)

    assert pay_event in ids
    assert notify_event not in ids


def test_a_platform_admin_reads_every_event(site):
    admin = site.client(PLATFORM_ADMIN)
    events = {_event(site, "token.revoke", ("token", str(n)), team) for n, team in enumerate(("pay", "notify", None))}

    assert events <= set(_entry_ids(admin.get("/audit?kind=token").text))


def test_an_entry_has_a_page_of_its_own_with_its_whole_before_and_after(site):
    event = _event(site, "silence.update", ("silence", "3"), "pay", before=SILENCE_BEFORE, after=SILENCE_AFTER)

    page = site.client(FATIMA).get(f"/audit/{event}")

    assert page.status_code == 200
    assert "silence.update" in page.text
    assert '"ends_at": "2026-11-26T13:30:00+00:00"' in html.unescape(page.text.split('data-testid="after"', 1)[1])
    assert 'href="/audit?kind=silence&amp;id=3">its history</a>' in page.text


def test_an_entry_the_reader_may_not_read_or_that_does_not_exist_is_not_found(site):
    hidden = _event(site, "account.disable", ("account", "902"), "notify")
    client = site.client(FATIMA)

    for path in (f"/audit/{hidden}", "/audit/999999", "/audit/abc", "/audit/99999999999"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")


def test_the_api_lists_entries_newest_first_with_a_cursor_and_a_link_header(site):
    made = [_event(site, "silence.create", ("silence", str(n)), "pay", at=NOW + timedelta(minutes=n)) for n in range(5)]
    client = site.client(FATIMA)

    first = client.get("/api/v1/audit", params={"object_kind": "silence", "limit": 3})
    body = first.json()
    second = client.get("/api/v1/audit", params={"object_kind": "silence", "limit": 3, "cursor": body["next"]}).json()

    assert first.status_code == 200
    assert [item["id"] for item in body["items"]] == list(reversed(made))[:3]
    assert first.headers["link"].startswith("</api/v1/audit?")
    assert first.headers["link"].endswith('>; rel="next"')
    assert [item["id"] for item in second["items"]] == list(reversed(made))[3:]
    assert second["next"] is None
    item = body["items"][0]
    assert item["object"] == {"kind": "silence", "id": "4"}
    assert item["team"] == "pay"
    assert item["changes"] == []  # neither before nor after recorded


def test_the_api_shows_an_entry_with_its_changes_and_filters_as_the_console_does(site):
    event = _event(site, "silence.update", ("silence", "3"), "pay", before=SILENCE_BEFORE, after=SILENCE_AFTER)
    client = site.client(FATIMA)

    one = client.get(f"/api/v1/audit/{event}").json()
    by_team = client.get("/api/v1/audit", params={"team": "notify"}).json()
    since = client.get("/api/v1/audit", params={"since": "2026-11-26T13:30:00Z"}).json()

    assert one["changes"] == [
        {
            "field": "ends_at",
            "before": "2026-11-26T12:00:00+00:00",
            "after": "2026-11-26T13:30:00+00:00",
            "added": False,
            "removed": False,
        }
    ]
    assert one["before"] == SILENCE_BEFORE
    assert event not in [item["id"] for item in by_team["items"]]
    assert event not in [item["id"] for item in since["items"]]


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"cursor": "not a cursor"}, "query.cursor"),
        ({"cursor": "WzEsImFjY291bnRzIixbMV1d"}, "query.cursor"),  # another list's cursor
        ({"team": "two words"}, None),
        ({"since": "2026-11-27T00:00Z", "until": "2026-11-26T00:00Z"}, None),
        ({"since": "0001-01-01T00:00Z"}, None),
    ],
)
def test_the_api_answers_a_bad_filter_or_cursor_with_a_400_problem(site, params, location):
    answer = site.client(FATIMA).get("/api/v1/audit", params=params)

    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    if location:
        assert answer.json()["errors"][0]["location"] == location


def test_the_api_hides_account_events_from_a_member_and_from_a_token_without_the_accounts_scope(site):
    hidden = _event(site, "account.disable", ("account", "902"), "notify")
    token = token_for(site.db, PLATFORM_ADMIN, ["read"])
    reader = site.client(None)

    member = site.client(FATIMA).get(f"/api/v1/audit/{hidden}")
    scoped = reader.get(f"/api/v1/audit/{hidden}", headers={"Authorization": f"Bearer {token}"})
    admin = site.client(PLATFORM_ADMIN).get(f"/api/v1/audit/{hidden}")

    assert member.status_code == 404
    assert scoped.status_code == 404
    assert admin.status_code == 200

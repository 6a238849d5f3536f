"""The home page at `/` for each kind of person: their team's open alerts with buttons to act, who is on call for
their team and the platform team, what is down (theirs, the platform's, others' count), their next shifts and
pages; a platform admin's line for every team; and the empty states, on both databases."""

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from console_site import ASHA, FATIMA, INES, NOW, PLATFORM_ADMIN, VIEWER, ConsoleSite, console_site
from history_rows import HistoryRows
from signed_in import Person
from watchkeeper.store import Database
from watchkeeper.store import tables as t


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":")


def _part(html: str, testid: str) -> str:
    """The element marked `data-testid=testid`, up to the next heading or the end of its table."""
    start = html.index(f'data-testid="{testid}"')
    ends = [i for i in (html.find("</table>", start), html.find("<h2", start)) if i != -1]
    return _text(html[start : min(ends) if ends else len(html)])


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


@pytest.fixture
def troubled(site: ConsoleSite) -> ConsoleSite:
    """An open alert and a check down for pay, notify and the platform."""
    for check in ("pay-frontend-home", "notify-api-status", "paas-api"):
        site.alert(check)
    rows = HistoryRows(site.db)
    for check in ("pay-frontend-home", "notify-smtp", "paas-api"):
        rows.state(check, "down", since=NOW - timedelta(hours=1), failures=3, recent="000", reason=f"{check} refused")
    return site


def test_a_team_member_sees_their_teams_alerts_with_buttons_and_not_another_teams(troubled):
    page = troubled.client(FATIMA).get("/")

    assert page.status_code == 200
    assert "Your team is GOV.UK Pay" in _text(page.text)
    alerts = _part(page.text, "home-alerts")
    assert "pay-frontend-home is DOWN: HTTP 503" in alerts
    assert "notify-api-status" not in alerts
    assert "paas-api" not in alerts
    assert 'data-testid="acknowledge-1"' in page.text
    assert 'data-testid="resolve-1"' in page.text


def test_a_member_acknowledges_an_alert_from_the_home_page(troubled):
    client = troubled.client(FATIMA)
    page = client.get("/").text
    form = page.split('action="/alerts/1/acknowledge"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))

    answer = client.post("/alerts/1/acknowledge", data=fields, headers={"Sec-Fetch-Site": "same-origin"})

    assert answer.status_code == 200
    assert "Acknowledged" in answer.text
    assert "by Fatima Hussain" in _text(answer.text)
    assert 'data-testid="acknowledge-1"' not in client.get("/").text  # resolve stays, acknowledge is done


def test_what_is_down_comes_as_yours_then_the_platforms_then_how_many_of_others(troubled):
    page = troubled.client(FATIMA).get("/").text

    assert "pay-frontend-home refused" in _part(page, "down-yours")
    assert "paas-api refused" in _part(page, "down-platform")
    assert "1 check of other teams is down" in _part(page, "down-others")
    assert "notify-smtp" not in page


def test_on_call_now_names_the_teams_and_the_platforms_schedules(troubled):
    on_call = _part(troubled.client(FATIMA).get("/").text, "home-on-call")

    assert "pay-on-call Team pay George Lin" in on_call  # week 46 of the rota that began on 7 January
    assert "RE primary on call Team reliability-engineering" in on_call
    assert "notify-on-call" not in on_call


def test_a_persons_next_shifts_come_from_their_catalog_person(troubled):
    shifts = _part(troubled.client(FATIMA).get("/").text, "home-shifts")

    assert "pay-on-call: 2026-12-09 09:30:00 UTC to 2026-12-16 09:30:00 UTC" in shifts  # whole, not cut at 14 days


def test_a_shift_under_way_says_now(site):
    george = site.client(Person("george.lin@example.gov.uk", role="viewer")).get("/").text

    assert "pay-on-call: Now until 2026-12-02 09:30:00 UTC" in _part(george, "home-shifts")


def test_the_latest_pages_are_those_sent_to_the_persons_own_inbox(site):
    with site.db.transaction() as connection:
        for number, channel in enumerate(("person:fatima/inbox", "person:ines/inbox", "pay-inbox")):
            connection.execute(
                insert(t.inbox_messages).values(
                    channel_id=channel,
                    team_id="pay",
                    notification_key=f"{number}" * 32,
                    at=NOW,
                    subject=f"Page to {channel}",
                    body="...",
                )
            )

    pages = _part(site.client(FATIMA).get("/").text, "home-pages")

    assert "Page to person:fatima/inbox" in pages
    assert "ines" not in pages
    assert "pay-inbox" not in pages


def test_another_teams_member_sees_only_their_own_alerts(troubled):
    page = troubled.client(INES).get("/").text

    assert "notify-api-status is DOWN" in _part(page, "home-alerts")
    assert "pay-frontend-home is DOWN" not in _part(page, "home-alerts")
    assert "notify-smtp refused" in _part(page, "down-yours")
    assert "1 check of other teams is down" in _part(page, "down-others")


def test_a_viewer_with_no_team_sees_what_is_down_and_the_platform_on_call(troubled):
    page = troubled.client(VIEWER).get("/").text

    assert "You are not in any team" in _part(page, "no-team")
    assert "viewer@example.org" in _part(page, "no-team")
    assert 'data-testid="home-alerts"' not in page
    assert "paas-api refused" in _part(page, "down-platform")
    assert "2 checks of other teams are down" in _part(page, "down-others")
    assert "RE primary on call" in _part(page, "home-on-call")
    assert "pay-on-call" not in _part(page, "home-on-call")
    assert "not linked to a person in the catalog" in _part(page, "no-person")
    assert 'data-testid="across-teams"' not in page


def test_a_platform_admin_sees_the_platform_teams_view_and_a_line_for_every_team(troubled):
    page = troubled.client(PLATFORM_ADMIN).get("/").text

    assert "Your team is Reliability Engineering (the platform team)" in _text(page)
    assert "paas-api is DOWN" in _part(page, "home-alerts")
    assert "paas-api refused" in _part(page, "down-yours")
    assert 'data-testid="down-platform"' not in page  # the platform's are theirs
    across = _part(page, "across-teams")
    assert "GOV.UK Pay 1 1" in across
    assert "GOV.UK Notify 1 1" in across
    assert "Reliability Engineering Platform team 1 1" in across


def test_a_platform_team_member_is_a_platform_admin_with_their_own_shifts(site):
    page = site.client(ASHA).get("/").text

    assert 'data-testid="across-teams"' in page
    shifts = _part(page, "home-shifts")
    assert "RE secondary on call: Now until 2026-12-02 09:30:00 UTC" in shifts
    assert "RE primary on call: 2026-12-09 09:30:00 UTC to 2026-12-09 17:30:00 UTC" in shifts  # the evening is cover's


def test_quiet_teams_say_so_plainly(site):
    page = site.client(FATIMA).get("/").text

    assert "No alert is open for GOV.UK Pay" in _part(page, "no-alerts")
    assert "Nothing of yours is down" in _part(page, "none-down-yours")
    assert "Nothing of the platform's is down" in _part(page, "none-down-platform")
    assert "No check of any other team is down" in _part(page, "down-others")
    assert "No page has reached your inbox" in _part(page, "no-pages")


def test_an_empty_database_says_the_catalog_has_no_teams(db, example_secrets):
    bare = console_site(db, None, example_secrets)
    page = bare.client(PLATFORM_ADMIN).get("/")

    assert page.status_code == 200
    assert "The catalog has no teams yet" in _part(page.text, "no-on-call")
    assert "You are not in any team" in page.text


def test_an_account_whose_team_left_the_catalog_is_told(site):
    client = site.client(Person("orphan@example.org", role="team-member", team="pay"))
    with site.db.transaction() as connection:
        moved = t.accounts.update().values(team_id="payments-old").where(t.accounts.c.email == "orphan@example.org")
        connection.execute(moved)

    page = client.get("/").text

    assert "payments-old" in _part(page, "unknown-teams")


def test_the_page_refreshes_its_lists_itself_and_has_a_refresh_link_without_javascript(troubled):
    client = troubled.client(FATIMA)
    page = client.get("/").text
    script = client.get("/assets/live.js")

    assert '<a class="govuk-link" href="/" data-testid="refresh">Refresh' in page
    assert re.search(r'<div id="live" data-live="20" data-live-summary="1 open alert, 2 checks down"', page)
    assert 'aria-live="polite"' in page
    assert '<script type="module" src="/assets/live.js"></script>' in page
    assert script.status_code == 200
    assert "visibilitychange" in script.text
    assert "document.hidden" in script.text

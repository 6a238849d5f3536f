"""The account pages, on both databases: `/account` (who I am and where my rights come from, my sessions and
signing out everywhere, my password, my personal tokens shown once) and `/admin/accounts` (accounts made with
a one-time link, disabled, given a new link; team tokens), each as the roles that may and may not use them."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console_site import ASHA, FATIMA, GEORGE, INES, KEY, PLATFORM_ADMIN, VIEWER, ConsoleSite, console_site
from signed_in import Person, sign_in
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.web.access import SESSION_COOKIE

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
HANA = Person("hana.kowalski@example.gov.uk", role="platform-admin")  # in pay through the catalog


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _part(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    ends = [i for i in (html.find("</table>", start), html.find("</ul>", start), html.find("<h2", start)) if i != -1]
    return _text(html[start : min(ends) if ends else len(html)])


def _account_id(db: Database, email: str) -> int:
    with db.reading() as connection:
        row = account_store.by_email(connection, email)
    assert row is not None
    return row.id


def _post(client: TestClient, path: str, data: dict | None = None, **more) -> object:
    return client.post(path, data=data or {}, headers=SAME_SITE, follow_redirects=False, **more)


def _token(page: str) -> str:
    found = re.search(r'data-testid="token"><code>(wk_[^<]+)</code>', page)
    assert found is not None
    return found[1]


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


# /account


def test_the_account_page_says_who_i_am_and_that_my_team_comes_from_the_catalog(site):
    page = site.client(FATIMA).get("/account").text

    assert "fatima.hussain@example.gov.uk" in _part(page, "who")
    assert "Team member of pay" in _part(page, "role")
    rights = _part(page, "rights")
    assert "The catalog names you as Fatima Hussain ( fatima ) in team pay" in rights
    assert "Your account's own role is viewer , which adds nothing" in rights
    assert "This one" in _part(page, "sessions")


def test_a_platform_team_member_is_told_the_platform_team_makes_them_an_admin(site):
    rights = _part(site.client(ASHA).get("/account").text, "rights")

    assert "That is the platform team, whose members are platform admins" in rights


def test_an_account_with_no_catalog_person_is_told_how_a_team_adds_them(site):
    page = site.client(VIEWER).get("/account").text

    assert "Viewer" in _part(page, "role")
    assert "No person in the catalog has your email" in _part(page, "rights")


def test_a_personal_token_is_shown_once_not_kept_by_caches_and_works(site):
    client = site.client(FATIMA)

    made = _post(client, "/account/tokens", {"name": "ci", "scopes": ["read", "alerts"], "life": "30"})
    secret = _token(made.text)
    listed = client.get("/account").text
    used = site.client(None).get("/api/v1/account", headers={"Authorization": f"Bearer {secret}"})

    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    assert "This is the only time this token is shown" in made.text
    assert secret not in listed
    assert f"ending {secret[-4:]}" in _part(listed, "tokens")
    assert "read, alerts" in _part(listed, "tokens") or "alerts, read" in _part(listed, "tokens")
    assert used.status_code == 200
    assert used.json()["email"] == FATIMA.email
    assert used.json()["scopes"] == ["alerts", "read"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "ci", "life": "30"}, "Give at least one scope"),
        ({"name": "", "scopes": ["read"], "life": "30"}, "Name is required"),
        ({"name": "ci", "scopes": ["read"], "life": "9999"}, "Choose how long the token works"),
        ({"name": "ci", "scopes": ["root"], "life": "30"}, "is not a scope"),
    ],
)
def test_a_refused_token_says_why_and_keeps_what_was_typed(site, form, message):
    answer = _post(site.client(FATIMA), "/account/tokens", form)

    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert message in answer.text
    assert 'href="#token-name"' in answer.text
    if form["name"]:
        assert 'value="ci"' in answer.text


def test_revoking_my_token_stops_it_at_once(site):
    client = site.client(FATIMA)
    secret = _token(_post(client, "/account/tokens", {"name": "ci", "scopes": ["read"], "life": "7"}).text)
    token_id = re.search(r'id="token-(\d+)"', client.get("/account").text)[1]

    revoked = _post(client, f"/account/tokens/{token_id}/revoke")
    after = site.client(None).get("/api/v1/account", headers={"Authorization": f"Bearer {secret}"})

    assert revoked.status_code == 303
    assert "Token " + token_id + " revoked" in client.get(revoked.headers["location"]).text
    assert after.status_code == 401


def test_nobody_revokes_another_persons_token_and_it_is_not_said_to_exist(site):
    owner = site.client(FATIMA)
    _post(owner, "/account/tokens", {"name": "ci", "scopes": ["read"], "life": "7"})
    token_id = re.search(r'id="token-(\d+)"', owner.get("/account").text)[1]

    answer = _post(site.client(INES), f"/account/tokens/{token_id}/revoke")

    assert answer.status_code == 404
    assert "Revoked" not in owner.get("/account").text


def test_signing_out_everywhere_ends_every_session_of_mine_and_no_one_elses(site):
    here, elsewhere, someone_else = site.client(FATIMA), site.client(FATIMA), site.client(INES)

    unconfirmed = _post(here, "/account/sessions/end")
    answer = _post(here, "/account/sessions/end", {"confirm": "yes"})

    assert unconfirmed.status_code == 400
    assert "Press Sign out everywhere to end every session" in unconfirmed.text
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert f"{SESSION_COOKIE}=" in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert elsewhere.get("/", follow_redirects=False).status_code == 303
    assert someone_else.get("/", follow_redirects=False).status_code == 200


def test_an_account_made_with_a_link_sets_its_password_and_then_signs_in_with_it(site):
    newcomer = Person("newcomer@example.org", role="viewer")
    client = site.client(newcomer)
    page = client.get("/account").text
    assert "Set a password" in page
    assert 'name="current"' not in page

    answer = _post(
        client, "/account/password", {"new": "a long enough passphrase", "again": "a long enough passphrase"}
    )
    login = site.client(None)
    form = login.get("/login").text
    token = re.search(r'name="login_token" value="([^"]+)"', form)[1]
    signed = login.post(
        "/login",
        data={"email": newcomer.email, "password": "a long enough passphrase", "login_token": token, "next": "/"},
        follow_redirects=False,
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert client.get("/account", follow_redirects=False).status_code == 303  # that session has ended
    assert signed.status_code == 303


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"current": "wrong password here", "new": "another long phrase", "again": "another long phrase"}, "wrong"),
        ({"current": "", "new": "another long phrase", "again": "not the same phrase"}, "are not the same"),
    ],
)
def test_a_password_change_needs_the_current_one_and_the_same_new_one_twice(site, form, message):
    client = site.client(None)
    sign_in(client, site.db, KEY, Person("pw@example.org", role="viewer"), at=site.clock.now())
    _post(client, "/account/password", {"new": "the first long phrase", "again": "the first long phrase"})
    sign_in(client, site.db, KEY, Person("pw@example.org", role="viewer"), at=site.clock.now())

    answer = _post(client, "/account/password", form)

    assert answer.status_code == 400
    assert message in answer.text
    assert 'href="#password-new"' in answer.text


def test_a_form_without_the_sessions_csrf_token_changes_nothing(site):
    client = site.client(FATIMA)
    del client.headers["x-csrf-token"]

    answer = _post(client, "/account/sessions/end", {"confirm": "yes"})

    assert answer.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200


# /admin/accounts


def test_a_platform_admin_makes_an_account_whose_link_is_shown_once_and_signs_in_once(site):
    client = site.client(PLATFORM_ADMIN)

    made = _post(client, "/admin/accounts", {"email": "Newcomer@Example.org", "role": "team-member", "team": "pay"})
    link = re.search(r'data-testid="link"><code>http://testserver(/login/link/[^<]+)</code>', made.text)
    visitor = site.client(None)
    used = visitor.post(link[1], headers=SAME_SITE, follow_redirects=False)
    again = site.client(None).post(link[1], headers=SAME_SITE, follow_redirects=False)
    listed = client.get("/admin/accounts").text

    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    assert "Account made for newcomer@example.org" in made.text
    assert used.status_code == 303
    assert "Signed in as <strong>newcomer@example.org</strong> (team member, pay)" in visitor.get("/").text
    assert again.status_code == 404
    assert "newcomer@example.org" in _part(listed, "accounts")
    assert link[1] not in listed


def test_a_team_admin_sees_their_teams_accounts_and_no_others(site):
    for person in (FATIMA, INES, ASHA):
        site.client(person)

    accounts = _part(site.client(GEORGE).get("/admin/accounts").text, "accounts")

    assert FATIMA.email in accounts  # pay's through the catalog
    assert GEORGE.email in accounts  # pay's through the account's own role
    assert INES.email not in accounts
    assert ASHA.email not in accounts


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"email": "x@example.org", "role": "platform-admin"}, 403, "A team admin makes team-member or team-admin"),
        ({"email": "x@example.org", "role": "team-member", "team": "notify"}, 403, "of their own team (pay)"),
        ({"email": "x@example.org", "role": "viewer"}, 403, "A team admin makes"),
        ({"email": "not an email", "role": "team-member", "team": "pay"}, 400, "is not an email address"),
        ({"email": FATIMA.email, "role": "team-member", "team": "pay"}, 409, "There is already an account for"),
    ],
)
def test_a_team_admin_makes_only_their_own_teams_accounts(site, form, status, message):
    site.client(FATIMA)

    answer = _post(site.client(GEORGE), "/admin/accounts", form)

    assert answer.status_code == status
    assert message in answer.text
    assert f'value="{form["email"]}"' in answer.text  # what was typed is kept


def test_a_team_admin_is_offered_only_their_teams_roles_and_team(site):
    page = site.client(GEORGE).get("/admin/accounts").text
    roles = page.split('id="account-role"', 1)[1].split("</select>", 1)[0]
    teams = page.split('id="account-team"', 1)[1].split("</select>", 1)[0]

    assert re.findall(r'value="([^"]+)"', roles) == ["team-member", "team-admin"]
    assert re.findall(r'value="([^"]*)"', teams) == ["pay"]


def test_disabling_an_account_ends_its_sessions(site):
    fatima = site.client(FATIMA)
    fatima_id = _account_id(site.db, FATIMA.email)

    answer = _post(site.client(GEORGE), f"/admin/accounts/{fatima_id}/disable")

    assert answer.status_code == 303
    assert "disabled: its sessions have ended" in site.client(GEORGE).get(answer.headers["location"]).text
    assert fatima.get("/", follow_redirects=False).status_code == 303


def test_a_team_admin_cannot_disable_another_teams_account_a_platform_admin_or_their_own(site):
    site.client(INES), site.client(HANA)
    george = site.client(GEORGE)
    ines_id, hana_id, own_id = (_account_id(site.db, p.email) for p in (INES, HANA, GEORGE))

    other_team = _post(george, f"/admin/accounts/{ines_id}/disable")
    platform = _post(george, f"/admin/accounts/{hana_id}/disable")
    own = _post(george, f"/admin/accounts/{own_id}/disable")

    assert other_team.status_code == 404
    assert platform.status_code == 403
    assert "is a platform admin (by role, or as a person of the platform team in the catalog): only a platform" in (
        platform.text
    )
    assert "only a platform admin disables their account" in platform.text
    assert own.status_code == 403
    assert "You cannot disable your own account here" in own.text


def test_a_new_sign_in_link_is_shown_once(site):
    site.client(FATIMA)
    fatima_id = _account_id(site.db, FATIMA.email)

    answer = _post(site.client(GEORGE), f"/admin/accounts/{fatima_id}/link")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "New sign-in link for fatima.hussain@example.gov.uk" in answer.text


@pytest.mark.parametrize("person", [FATIMA, VIEWER])
def test_members_and_viewers_may_not_use_the_accounts_page(site, person):
    client = site.client(person)

    page = client.get("/admin/accounts")
    made = _post(client, "/admin/accounts", {"email": "x@example.org", "role": "viewer"})

    assert page.status_code == 403
    assert made.status_code == 403
    assert "Accounts</a>" not in client.get("/").text  # the link is offered to admins only


def test_a_team_admin_makes_and_revokes_their_teams_token_and_no_other_teams(site):
    client = site.client(GEORGE)

    made = _post(client, "/admin/tokens", {"team": "pay", "name": "deploys", "scopes": ["alerts"], "life": "90"})
    secret = _token(made.text)
    other = _post(client, "/admin/tokens", {"team": "notify", "name": "x", "scopes": ["read"], "life": "90"})
    listed = client.get("/admin/accounts").text
    token_id = re.search(r'id="token-(\d+)"', listed)[1]
    revoked = _post(client, f"/admin/tokens/{token_id}/revoke")

    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    assert "Of team pay" in made.text
    assert other.status_code == 403
    assert "only an admin of team notify" in other.text.lower()
    assert "deploys" in _part(listed, "team-tokens")
    assert secret not in listed
    assert revoked.status_code == 303
    used = site.client(None).get("/api/v1/account", headers={"Authorization": f"Bearer {secret}"})
    assert used.status_code == 401

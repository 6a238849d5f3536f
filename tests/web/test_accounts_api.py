"""Accounts and tokens in the API, on both databases: who am I, admins listing, making and disabling accounts
within their reach, personal and team tokens returned once, and no token making one wider than itself."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from console_site import FATIMA, GEORGE, INES, PLATFORM_ADMIN, VIEWER, ConsoleSite, console_site
from signed_in import token_for
from watchkeeper.store import Database


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_anyone_signed_in_asks_who_they_are_and_where_their_rights_come_from(site):
    answer = site.client(FATIMA).get("/api/v1/account")

    assert answer.status_code == 200
    body = answer.json()
    assert body["role"] == "team-member"
    assert body["member_of"] == ["pay"]
    assert body["person"] == "fatima"
    assert body["via"] == "session"
    assert body["account"]["catalog_team"] == "pay"
    assert body["account"]["role"] == "team-member"


def test_a_teams_token_has_no_account(site):
    token = token_for(site.db, PLATFORM_ADMIN, ["read"], team="pay")

    body = site.client(None).get("/api/v1/account", headers=_bearer(token)).json()

    assert body["account"] is None
    assert body["member_of"] == ["pay"]


def test_admins_list_the_accounts_within_their_reach_a_page_at_a_time(site):
    for person in (FATIMA, INES, VIEWER):
        site.client(person)
    admin = site.client(PLATFORM_ADMIN)

    first = admin.get("/api/v1/accounts", params={"limit": 2})
    second = admin.get("/api/v1/accounts", params={"limit": 2, "cursor": first.json()["next"]}).json()
    pay = site.client(GEORGE).get("/api/v1/accounts").json()

    assert first.status_code == 200
    assert 'rel="next"' in first.headers["link"]
    emails = [item["email"] for item in first.json()["items"] + second["items"]]
    assert len(emails) == 4
    assert {FATIMA.email, INES.email, VIEWER.email} <= set(emails)
    assert {item["email"] for item in pay["items"]} == {FATIMA.email, GEORGE.email}


@pytest.mark.parametrize("person", [FATIMA, VIEWER])
def test_members_and_viewers_may_not_list_accounts(site, person):
    answer = site.client(person).get("/api/v1/accounts")

    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"


def test_an_admin_makes_an_account_and_gets_its_sign_in_link_once(site):
    admin = site.client(GEORGE)

    answer = admin.post("/api/v1/accounts", json={"email": "new@example.org", "role": "team-member", "team": "pay"})

    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["sign_in_link"].startswith("http://testserver/login/link/")
    assert answer.headers["location"] == f"/api/v1/accounts/{body['account']['id']}"
    assert admin.get(answer.headers["location"]).json()["email"] == "new@example.org"
    assert "sign_in_link" not in admin.get(answer.headers["location"]).json()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "x@example.org", "role": "platform-admin"}, 403),
        ({"email": "x@example.org", "role": "team-admin", "team": "notify"}, 403),
        ({"email": "not an email", "role": "team-member", "team": "pay"}, 400),
        ({"email": "x@example.org", "role": "wizard", "team": "pay"}, 422),
        ({"email": "x@example.org", "role": "team-member", "team": "pay", "extra": 1}, 422),
    ],
)
def test_a_team_admin_cannot_make_an_account_beyond_their_team(site, body, status):
    answer = site.client(GEORGE).post("/api/v1/accounts", json=body)

    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_an_account_out_of_reach_is_not_found_and_disabling_one_in_reach_works_once(site):
    site.client(INES)
    site.client(FATIMA)
    admin = site.client(PLATFORM_ADMIN)
    ids = {item["email"]: item["id"] for item in admin.get("/api/v1/accounts").json()["items"]}
    george = site.client(GEORGE)

    hidden = george.get(f"/api/v1/accounts/{ids[INES.email]}")
    disabled = george.post(f"/api/v1/accounts/{ids[FATIMA.email]}/disable")
    twice = george.post(f"/api/v1/accounts/{ids[FATIMA.email]}/disable")

    assert hidden.status_code == 404
    assert disabled.status_code == 200
    assert disabled.json()["disabled_at"] is not None
    assert twice.status_code == 409


def test_a_personal_token_is_returned_once_and_listed_after_without_it(site):
    client = site.client(FATIMA)

    made = client.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read", "alerts"], "expires_in": "30d"})
    listed = client.get("/api/v1/tokens")

    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    secret = made.json()["token"]
    assert secret.startswith("wk_")
    assert made.json()["details"]["account"] == FATIMA.email
    assert made.json()["details"]["scopes"] == ["alerts", "read"]
    assert secret not in listed.text
    assert [item["name"] for item in listed.json()["items"]] == ["ci"]
    assert client.get(made.headers["location"]).json()["hint"] == secret[-4:]


def test_a_token_never_makes_a_token_wider_than_itself(site):
    narrow = token_for(site.db, FATIMA, ["read", "accounts"])
    reader = site.client(None)

    wider = reader.post("/api/v1/tokens", headers=_bearer(narrow), json={"name": "x", "scopes": ["alerts"]})
    same = reader.post("/api/v1/tokens", headers=_bearer(narrow), json={"name": "x", "scopes": ["read"]})
    without = token_for(site.db, FATIMA, ["read"])
    none = reader.post("/api/v1/tokens", headers=_bearer(without), json={"name": "x", "scopes": ["read"]})

    assert wider.status_code == 403
    assert "lacks the scope 'alerts'" in wider.json()["detail"]
    assert same.status_code == 201
    assert none.status_code == 403  # making tokens needs the accounts scope


def test_a_team_admin_makes_their_teams_token_and_nobody_else_does(site):
    made = site.client(GEORGE).post("/api/v1/teams/pay/tokens", json={"name": "deploys", "scopes": ["alerts"]})
    other = site.client(GEORGE).post("/api/v1/teams/notify/tokens", json={"name": "x", "scopes": ["read"]})
    member = site.client(FATIMA).post("/api/v1/teams/pay/tokens", json={"name": "x", "scopes": ["read"]})
    unknown = site.client(PLATFORM_ADMIN).post(
        "/api/v1/teams/no-such-team/tokens", json={"name": "x", "scopes": ["read"]}
    )

    assert made.status_code == 201
    assert made.json()["details"]["team"] == "pay"
    assert other.status_code == 403
    assert member.status_code == 403
    assert unknown.status_code == 404


def test_revoking_a_token_stops_it_and_another_persons_is_not_found(site):
    owner = site.client(FATIMA)
    made = owner.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"]}).json()
    token_id = made["details"]["id"]

    stranger = site.client(INES).post(f"/api/v1/tokens/{token_id}/revoke")
    revoked = owner.post(f"/api/v1/tokens/{token_id}/revoke")
    used = site.client(None).get("/api/v1/account", headers=_bearer(made["token"]))

    assert stranger.status_code == 404
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert used.status_code == 401


def test_a_bad_cursor_or_expiry_is_a_400_problem(site):
    admin = site.client(PLATFORM_ADMIN)

    cursor = admin.get("/api/v1/tokens", params={"cursor": "WzEsImF1ZGl0IixbMV1d"})  # the audit log's
    expiry = admin.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"], "expires_in": "forever"})
    too_long = admin.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"], "expires_in": "400d"})

    assert cursor.status_code == 400
    assert cursor.json()["errors"][0]["location"] == "query.cursor"
    assert expiry.status_code == 400
    assert too_long.status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/accounts", {"email": "x@example.org", "role": "team-member", "team": "p\x00y"}, 404),
        ("/api/v1/accounts", {"email": "x\x00@example.org", "role": "viewer"}, 400),
        ("/api/v1/tokens", {"name": "ci\x00", "scopes": ["read"]}, 400),
    ],
)
def test_text_no_database_takes_is_refused_not_a_500(site, path, body, status):
    answer = site.client(PLATFORM_ADMIN).post(path, json=body)

    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"

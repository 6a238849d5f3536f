"""The policies of the home, audit and account routes, read from the route table, and what each kind of person
gets from each of those pages: every one declares who may use it, and answers accordingly."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from console_site import FATIMA, GEORGE, INES, PLATFORM_ADMIN, VIEWER, ConsoleSite, console_site
from watchkeeper.domain.access import Policy, Rule, Scope
from watchkeeper.store import Database
from watchkeeper.web.access import route_table

READ = Policy(Rule.READ)
OWN = Policy(Rule.READ, Scope.ACCOUNTS)
ADMIN = Policy(Rule.TEAM_ADMIN, Scope.ACCOUNTS)
EXPECTED = {
    ("GET", "/"): READ,
    ("GET", "/catalogue"): READ,
    ("GET", "/audit"): READ,
    ("GET", "/audit/{event_id}"): READ,
    ("GET", "/account"): READ,
    ("POST", "/account/tokens"): OWN,
    ("POST", "/account/tokens/{token_id}/revoke"): OWN,
    ("POST", "/account/password"): OWN,
    ("POST", "/account/sessions/end"): OWN,
    ("GET", "/admin/accounts"): ADMIN,
    ("POST", "/admin/accounts"): ADMIN,
    ("POST", "/admin/accounts/{account_id}/disable"): ADMIN,
    ("POST", "/admin/accounts/{account_id}/link"): ADMIN,
    ("POST", "/admin/tokens"): ADMIN,
    ("POST", "/admin/tokens/{token_id}/revoke"): ADMIN,
    ("GET", "/api/v1/audit"): READ,
    ("GET", "/api/v1/audit/{event_id}"): READ,
    ("GET", "/api/v1/account"): READ,
    ("GET", "/api/v1/accounts"): ADMIN,
    ("POST", "/api/v1/accounts"): ADMIN,
    ("GET", "/api/v1/accounts/{account_id}"): ADMIN,
    ("POST", "/api/v1/accounts/{account_id}/disable"): ADMIN,
    ("GET", "/api/v1/tokens"): OWN,
    ("POST", "/api/v1/tokens"): OWN,
    ("GET", "/api/v1/tokens/{token_id}"): OWN,
    ("POST", "/api/v1/tokens/{token_id}/revoke"): OWN,
    ("POST", "/api/v1/teams/{team}/tokens"): ADMIN,
}


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def test_each_route_declares_the_policy_it_is_meant_to_have(site):
    declared = {(method, entry.path): entry.policy for entry in route_table(site.app) for method in entry.methods}

    assert {route: declared.get(route) for route in EXPECTED} == EXPECTED


PAGES = {"/": 200, "/catalogue": 200, "/audit": 200, "/account": 200}


@pytest.mark.parametrize(
    ("person", "admin"),
    [(PLATFORM_ADMIN, True), (GEORGE, True), (FATIMA, False), (INES, False), (VIEWER, False)],
    ids=["platform-admin", "team-admin", "team-member", "other-teams-member", "viewer"],
)
def test_every_kind_of_person_reads_the_pages_and_only_admins_the_accounts_page(site, person, admin):
    client = site.client(person)

    for path, status in PAGES.items():
        assert client.get(path).status_code == status, path
    assert client.get("/admin/accounts").status_code == (200 if admin else 403)
    assert client.get("/api/v1/accounts").status_code == (200 if admin else 403)
    assert client.get("/api/v1/tokens").status_code == 200
    assert client.get("/api/v1/audit").status_code == 200


def test_nobody_signed_in_is_sent_to_sign_in_or_answered_401(site):
    client = site.client(None)

    for path in (*PAGES, "/admin/accounts", "/audit/1"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next="), path
    for path in ("/api/v1/audit", "/api/v1/account", "/api/v1/accounts", "/api/v1/tokens"):
        assert client.get(path).status_code == 401, path

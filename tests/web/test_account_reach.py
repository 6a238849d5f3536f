"""Nobody makes or manages an account, or a token, with more than they have themselves. The catalog grants
rights by email, so a team admin who could make an account (and its one-time link) for a platform-team person
would sign in as a platform admin; and a token could buy a year's access from one that ends tomorrow."""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console_site import FATIMA, GEORGE, ConsoleSite, console_site
from signed_in import account
from watchkeeper.services import api_tokens
from watchkeeper.services.api_tokens import NewToken
from watchkeeper.services.audit import cli_actor
from watchkeeper.store import Database

BEN = "ben.okafor@example.gov.uk"  # the catalog's platform team
INES = "ines.costa@example.gov.uk"  # notify, by the catalog
HANA = "hana.kowalski@example.gov.uk"  # pay, by the catalog


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def _emails(site: ConsoleSite) -> dict[str, int]:
    answer = site.client().get("/api/v1/accounts")  # the platform admin sees every account
    return {item["email"]: item["id"] for item in answer.json()["items"]}


def _rights_by_link(site: ConsoleSite, link: str) -> dict[str, object]:
    """Who a fresh browser is once it signs in with a one-time link."""
    browser = site.client(None)
    assert browser.post("/" + link.split("://", 1)[1].split("/", 1)[1], follow_redirects=False).status_code == 303
    me: dict[str, object] = browser.get("/api/v1/account").json()
    return me


def test_a_team_admin_cannot_make_an_account_for_a_platform_team_person(site):
    answer = site.client(GEORGE).post("/api/v1/accounts", json={"email": BEN, "role": "team-member", "team": "pay"})

    assert answer.status_code == 403
    assert answer.json()["detail"] == (
        f"{BEN} is a platform admin (by role, or as a person of the platform team in the catalog): only a "
        "platform admin makes their account"
    )
    assert BEN not in _emails(site)


def test_a_team_admin_cannot_make_an_account_for_another_teams_person(site):
    answer = site.client(GEORGE).post("/api/v1/accounts", json={"email": INES, "role": "team-member", "team": "pay"})

    assert answer.status_code == 403
    assert "has rights in notify (by role or the catalog), which you do not admin" in answer.json()["detail"]
    assert INES not in _emails(site)


def test_a_team_admin_makes_their_own_teams_accounts_and_a_platform_admin_any(site):
    own = site.client(GEORGE).post("/api/v1/accounts", json={"email": HANA, "role": "team-member", "team": "pay"})
    platform = site.client().post("/api/v1/accounts", json={"email": BEN, "role": "viewer"})

    assert own.status_code == 201
    assert _rights_by_link(site, own.json()["sign_in_link"])["member_of"] == ["pay"]
    assert platform.status_code == 201
    assert _rights_by_link(site, platform.json()["sign_in_link"])["platform_admin"] is True


def test_a_team_admin_cannot_take_over_an_account_with_rights_in_another_team(site):
    account(site.db, replace(FATIMA, role="team-admin", team="notify"))  # pay by the catalog, notify's admin
    fatima = _emails(site)[FATIMA.email]

    page = site.client(GEORGE).post(f"/admin/accounts/{fatima}/link", follow_redirects=False)

    assert page.status_code == 403
    assert "has rights in notify" in page.text
    assert "/login/link/" not in page.text


def test_a_team_admin_makes_a_sign_in_link_for_their_own_teams_member(site):
    account(site.db, FATIMA)
    fatima = _emails(site)[FATIMA.email]

    page = site.client(GEORGE).post(f"/admin/accounts/{fatima}/link", follow_redirects=False)

    assert page.status_code == 200
    link = re.search(r"https?://[^<\s\"]+/login/link/[A-Za-z0-9_-]+", page.text)
    assert link is not None
    assert _rights_by_link(site, link.group(0))["email"] == FATIMA.email


def test_a_team_admin_cannot_disable_an_account_with_rights_in_another_team(site):
    account(site.db, replace(FATIMA, role="team-admin", team="notify"))
    fatima = _emails(site)[FATIMA.email]

    refused = site.client(GEORGE).post(f"/api/v1/accounts/{fatima}/disable")
    by_platform = site.client().post(f"/api/v1/accounts/{fatima}/disable")

    assert refused.status_code == 403
    assert "only those teams' admin or a platform admin disables their account" in refused.json()["detail"]
    assert by_platform.status_code == 200


def _token(site: ConsoleSite, life: timedelta) -> TestClient:
    account(site.db, FATIMA)
    new = NewToken(name="ci", scopes=["read", "accounts"], email=FATIMA.email, life=life)
    _made, secret = api_tokens.create(site.db, site.clock.now(), new, cli_actor("tests"))
    client = site.client(None)
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_a_token_makes_no_token_that_outlives_it(site):
    client = _token(site, timedelta(days=1))

    longer = client.post("/api/v1/tokens", json={"name": "forever", "scopes": ["read"], "expires_in": "366d"})
    shorter = client.post("/api/v1/tokens", json={"name": "today", "scopes": ["read"], "expires_in": "12h"})

    assert longer.status_code == 403
    assert longer.json()["detail"].startswith("this token ends at 2026-11-27 14:00 UTC, so a token it makes must end")
    assert shorter.status_code == 201
    assert [t["name"] for t in client.get("/api/v1/tokens").json()["items"]] == ["ci", "today"]

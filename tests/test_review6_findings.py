"""Findings of an outside review of issue 6 (access control, API and console): each test shows a problem the
current code has, and is marked xfail(strict=True) until the lead fixes it, when it starts passing and the marker
must go. Every test runs on SQLite and on PostgreSQL through the `db` fixture, over the real app."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from console_site import GEORGE, KEY, PLATFORM_ADMIN, ConsoleSite, console_site
from watchkeeper.store import Database


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def _who(client: TestClient) -> dict[str, object]:
    answer = client.get("/api/v1/account")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _follow_link(site: ConsoleSite, link: str) -> TestClient:
    """A fresh browser that signs in with a one-time link, as whoever receives it does."""
    browser = site.client(None)
    path = link.split("://", 1)[1].split("/", 1)[1]
    answer = browser.post("/" + path, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return browser


@pytest.mark.xfail(strict=True, reason="a team admin makes an account for a platform-team person and signs in as them")
def test_a_team_admin_cannot_become_a_platform_admin_by_making_an_account_for_a_platform_team_email(site):
    """George, pay's admin, makes a `team-member of pay` account for ben.okafor@, a person of the catalog's
    platform team who has no account yet. The API answers 201 with a one-time sign-in link, which George follows
    himself: he is now signed in as Ben, a platform admin (the catalog grants it by email). He should have been
    refused: an account whose email the catalog places in another team (or the platform team) carries rights the
    team admin lacks, so only a platform admin (or that team's admin) may make it."""
    made = site.client(GEORGE).post(
        "/api/v1/accounts", json={"email": "ben.okafor@example.gov.uk", "role": "team-member", "team": "pay"}
    )
    if made.status_code != 201:
        return  # refused, as it should be
    ben = _follow_link(site, made.json()["sign_in_link"])
    assert _who(ben)["platform_admin"] is False

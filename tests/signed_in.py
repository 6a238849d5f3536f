"""Signing test clients in: an account of a given role, a session cookie on the client, and the session's CSRF
token sent with every request (as the console's pages send it in their forms)."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from watchkeeper.services import api_tokens, sessions
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.api_tokens import NewToken
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.refusals import Conflict
from watchkeeper.services.sessions import Lifetimes
from watchkeeper.services.sign_in import SignedIn
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.web.access import CSRF_HEADER, SESSION_COOKIE

ADMIN = "admin@example.org"
LIFETIMES = Lifetimes(idle=timedelta(hours=12), life=timedelta(days=7))


@dataclass(frozen=True)
class Person:
    email: str
    role: str = "platform-admin"
    team: str | None = None
    name: str | None = None
    """By default the catalog person's name, or the email."""


def account(db: Database, person: Person) -> None:
    new = NewAccount(email=person.email, role=person.role, team=person.team, name=person.name)
    with suppress(Conflict):  # made by an earlier call
        create_account(db, datetime.now(UTC), new, cli_actor("tests"))


def session_for(db: Database, person: Person, at: datetime | None = None) -> str:
    """A new session's secret for this person (made if missing), begun `at` (now) by the app's clock."""
    account(db, person)
    with db.reading() as connection:
        row = account_store.by_email(connection, person.email)
    assert row is not None
    return sessions.start(db, at or datetime.now(UTC), SignedIn(row, "password"), LIFETIMES, "testclient")


def sign_in(
    client: TestClient,
    db: Database,
    secret_key: str,
    person: Person = Person(ADMIN, name="Asha Patel"),
    at: datetime | None = None,
) -> str:
    """Signs the client in as `person`; returns the session's CSRF token."""
    secret = session_for(db, person, at)
    client.cookies.set(SESSION_COOKIE, secret)
    token = sessions.csrf_token(secret_key.encode(), secret)
    client.headers[CSRF_HEADER] = token
    return token


def token_for(db: Database, person: Person, scopes: list[str], team: str | None = None) -> str:
    """An API token: a personal one of `person` (made if missing), or the team's when `team` is given."""
    if team is None:
        account(db, person)
    new = NewToken(name="tests", scopes=scopes, email=None if team else person.email, team=team)
    _made, secret = api_tokens.create(db, datetime.now(UTC), new, cli_actor("tests"))
    return secret


PASSWORD = "correct horse battery staple"


def admin_with_password(db: Database, email: str = ADMIN) -> tuple[str, str]:
    """A platform admin who signs in through the sign-in page, as a browser test does."""
    new = NewAccount(email=email, role="platform-admin", name="Asha Patel", password=PASSWORD)
    with suppress(Conflict):  # made by an earlier call
        create_account(db, datetime.now(UTC), new, cli_actor("tests"))
    return email, PASSWORD

"""Signing in: with a password (rate-limited, with a lockout), with a one-time link, or as the demo's visitor.

Failed attempts are counted by email and by client address in the database, so that every web process sees
the same counts. The lockout is by email whether or not an account has it, so that it tells nobody which
emails have accounts; and it lasts a window, not for ever, so that nobody can lock a colleague out for good."""

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from watchkeeper.domain.access import Principal, Role
from watchkeeper.services import accounts
from watchkeeper.services.accounts import NewAccount, principal_of
from watchkeeper.services.audit import Actor, cli_actor, record
from watchkeeper.services.refusals import Conflict, NotFound, Refused
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.store import sessions as store
from watchkeeper.store.accounts import AccountRow
from watchkeeper.store.contention import lock_keys

FAILURE_WINDOW = timedelta(minutes=15)
EMAIL_FAILURES = 5
"""Failures for one email within the window before it is locked until the window has passed."""
CLIENT_FAILURES = 30
"""Failures from one address within the window (many emails tried from one place)."""
DEMO_EMAIL = "demo@watchkeeper.invalid"
WRONG = "the email or password is wrong"


class TooManyAttempts(Refused):
    status = 429

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after.total_seconds()))


@dataclass(frozen=True)
class SignedIn:
    account: AccountRow
    method: str
    """password, link, oidc or demo."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def with_password(db: Database, now: datetime, email_text: str, password: str, client: str) -> SignedIn:
    try:
        email = accounts.email_of(email_text)
    except Refused:
        raise Refused(WRONG, 401) from None
    keys = [f"email:{email}", f"client:{client}"]
    row = _counted(db, now, keys, email)
    if not accounts.password_matches(row, password) or row is None or row.disabled_at is not None:
        raise Refused(WRONG, 401)
    with db.transaction() as connection:
        _forget_attempt(connection, keys, now)
        accounts.rehash_if_needed(connection, row, password)
    return SignedIn(row, "password")


def change_own_password(
    db: Database, now: datetime, account_id: int, current: str, new: str, client: str, actor: Actor
) -> None:
    """A person's new password, from their account page. The current one must be given when there is one (an
    account made with a sign-in link has none yet), and wrong ones count towards the lockout as failed sign-ins
    do: someone at a borrowed session cannot guess the password there instead. Every session ends."""
    accounts.checked_password(new)
    with db.reading() as connection:
        row = account_store.by_id(connection, account_id)
    if row is None:
        raise NotFound(f"no account {account_id}")
    if row.password_hash is not None:
        keys = [f"email:{row.email}", f"client:{client}"]
        _counted(db, now, keys, row.email)
        if not accounts.password_matches(row, current):
            raise Refused("the current password is wrong")
        with db.transaction() as connection:
            _forget_attempt(connection, keys, now)
    accounts.set_own_password(db, now, row, new, actor)


def _counted(db: Database, now: datetime, keys: list[str], email: str) -> AccountRow | None:
    """The account with `email`, once this attempt is counted as a failure (forgotten when it succeeds): each
    attempt is counted before its password is checked, and the count is read and written by one attempt at a
    time, so guesses sent all at once cannot all pass a count none has added to yet."""
    with db.transaction() as connection:
        lock_keys(connection, [f"sign-in:{key}" for key in keys])
        _refuse_if_locked(connection, keys, now)
        store.add_failure(connection, keys, now)
        return account_store.by_email(connection, email)


def _forget_attempt(connection: Connection, keys: list[str], now: datetime) -> None:
    """A right password clears the email's failures, and this attempt's from an address others may share."""
    store.forget_failures(connection, keys[0])
    store.forget_failure(connection, keys[1], now)


def _refuse_if_locked(connection: Connection, keys: list[str], now: datetime) -> None:
    since = now - FAILURE_WINDOW
    email_key, client_key = keys
    if store.failures_since(connection, email_key, since) >= EMAIL_FAILURES:
        raise TooManyAttempts(
            f"too many failed sign-ins for this email: try again in {_minutes(FAILURE_WINDOW)} minutes, or ask an"
            " admin for a sign-in link",
            FAILURE_WINDOW,
        )
    if store.failures_since(connection, client_key, since) >= CLIENT_FAILURES:
        raise TooManyAttempts(
            f"too many failed sign-ins from this address: try again in {_minutes(FAILURE_WINDOW)} minutes",
            FAILURE_WINDOW,
        )


def _minutes(length: timedelta) -> int:
    return int(length.total_seconds() // 60)


def issue_link(db: Database, now: datetime, email_text: str, life: timedelta, actor: Actor) -> str:
    """A one-time sign-in link's secret, for a first admin with no password, or someone locked out."""
    secret = secrets.token_urlsafe(32)
    with db.transaction() as connection:
        row = account_store.by_email(connection, accounts.email_of(email_text))
        if row is None:
            raise NotFound(f"no account for {email_text.strip()[:80]}")
        if row.disabled_at is not None:
            raise Refused(f"the account for {row.email} is disabled")
        store.add_link(connection, digest_of(secret), row.id, now, now + life)
        record(connection, actor, now, "account.sign-in-link", ("account", str(row.id)), row.team_id)
    return secret


def with_link(db: Database, now: datetime, secret: str) -> SignedIn | None:
    with db.transaction() as connection:
        account_id = store.use_link(connection, digest_of(secret), now)
        row = account_store.by_id(connection, account_id) if account_id is not None else None
    if row is None or row.disabled_at is not None:
        return None
    return SignedIn(row, "link")


def as_demo_visitor(db: Database, now: datetime) -> SignedIn:
    """`watchkeeper demo` signs a visitor from loopback in as this platform admin, so that a newcomer lands in the
    console; nothing else bypasses sign-in."""
    with db.reading() as connection:
        row = account_store.by_email(connection, DEMO_EMAIL)
    if row is None:
        new = NewAccount(email=DEMO_EMAIL, role=Role.PLATFORM_ADMIN, name="Demo visitor")
        with suppress(Conflict):  # another request made it first
            accounts.create_account(db, now, new, cli_actor("watchkeeper demo"))
        with db.reading() as connection:
            row = account_store.by_email(connection, DEMO_EMAIL)
    assert row is not None
    return SignedIn(row, "demo")


def principal(db: Database, row: AccountRow) -> Principal:
    with db.reading() as connection:
        return principal_of(connection, row)

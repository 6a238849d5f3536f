"""Console sessions: a random secret in a cookie, kept here only as its SHA-256 digest.

A session ends when it has been idle too long, when it is older than its life, when its person signs out, and
when the account is disabled or its password changed. Its CSRF token is derived from the session's secret with
the server's key, so that it needs no storage and changes with every session."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchkeeper.domain.access import Principal
from watchkeeper.domain.constant_time import same_secret
from watchkeeper.services.accounts import principal_of
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.sign_in import SignedIn, digest_of
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.store import sessions as store

SEEN_EVERY = timedelta(minutes=1)
"""How often a session's last use is written: not on every request."""


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    life: timedelta


@dataclass(frozen=True)
class Session:
    principal: Principal
    method: str


def start(db: Database, now: datetime, signed_in: SignedIn, lifetimes: Lifetimes, client: str) -> str:
    secret = secrets.token_urlsafe(32)
    row = signed_in.account
    with db.transaction() as connection:
        store.add(connection, digest_of(secret), row.id, now, now + lifetimes.life, signed_in.method)
        actor = Actor(principal_of(connection, row), "console")
        after = {"method": signed_in.method, "client": client}
        record(connection, actor, now, "account.sign-in", ("account", str(row.id)), row.team_id, after=after)
    return secret


def current(db: Database, now: datetime, secret: str, lifetimes: Lifetimes) -> Session | None:
    digest = digest_of(secret)
    with db.reading() as connection:
        found = store.find(connection, digest)
        if found is None or found.expires_at <= now or found.seen_at + lifetimes.idle <= now:
            return None
        row = account_store.by_id(connection, found.account_id)
        if row is None or row.disabled_at is not None:
            return None
        principal = principal_of(connection, row)
    if now - found.seen_at >= SEEN_EVERY:
        with db.transaction() as connection:
            store.seen(connection, digest, now)
    return Session(principal, found.method)


def end(db: Database, now: datetime, secret: str) -> None:
    digest = digest_of(secret)
    with db.transaction() as connection:
        found = store.find(connection, digest)
        if found is None:
            return
        store.end(connection, digest)
        row = account_store.by_id(connection, found.account_id)
        if row is not None:
            actor = Actor(principal_of(connection, row), "console")
            record(connection, actor, now, "account.sign-out", ("account", str(row.id)), row.team_id)


@dataclass(frozen=True)
class SessionView:
    started: datetime
    seen: datetime
    method: str
    current: bool
    """The session of the request that asks."""


def of_account(
    db: Database, now: datetime, account_id: int, lifetimes: Lifetimes, secret: str | None
) -> list[SessionView]:
    """An account's live sessions (those past their idle time or life are left out, as they no longer work)."""
    mine = digest_of(secret) if secret else None
    with db.reading() as connection:
        found = store.of_account(connection, account_id)
    return [
        SessionView(row.created_at, row.seen_at, row.method, digest == mine)
        for digest, row in found
        if row.expires_at > now and row.seen_at + lifetimes.idle > now
    ]


def end_everywhere(db: Database, now: datetime, account_id: int, actor: Actor) -> int:
    """Ends every session of the account, this one too: for a lost laptop or a shared computer."""
    with db.transaction() as connection:
        row = account_store.by_id(connection, account_id)
        if row is None:
            return 0
        ended = store.end_all(connection, account_id)
        after = {"sessions_ended": ended}
        record(
            connection, actor, now, "account.sign-out-everywhere", ("account", str(row.id)), row.team_id, after=after
        )
    return ended


def csrf_token(key: bytes, secret: str) -> str:
    return hmac.new(key, b"csrf\x00" + secret.encode(), hashlib.sha256).hexdigest()


def csrf_matches(key: bytes, secret: str, given: str) -> bool:
    return same_secret(given, csrf_token(key, secret))


def prune(db: Database, now: datetime, lifetimes: Lifetimes) -> int:
    with db.transaction() as connection:
        return store.prune(connection, now, now - lifetimes.idle)

"""Sessions and one-time sign-in links, found by the SHA-256 digest of their secret; and failed sign-ins."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from watchkeeper.store import tables as t

_s = t.sessions.c
_l = t.sign_in_links.c
_f = t.sign_in_failures.c


@dataclass(frozen=True)
class SessionRow:
    account_id: int
    created_at: datetime
    seen_at: datetime
    expires_at: datetime
    method: str


def add(connection: Connection, digest: str, account_id: int, at: datetime, expires_at: datetime, method: str) -> None:
    values = {
        "digest": digest,
        "account_id": account_id,
        "created_at": at,
        "seen_at": at,
        "expires_at": expires_at,
        "method": method,
    }
    connection.execute(insert(t.sessions).values(values))


def find(connection: Connection, digest: str) -> SessionRow | None:
    query = select(_s.account_id, _s.created_at, _s.seen_at, _s.expires_at, _s.method).where(_s.digest == digest)
    row = connection.execute(query).first()
    return None if row is None else SessionRow(*row)


def of_account(connection: Connection, account_id: int) -> list[tuple[str, SessionRow]]:
    """An account's sessions with their digests, the newest first."""
    columns = (_s.digest, _s.account_id, _s.created_at, _s.seen_at, _s.expires_at, _s.method)
    query = select(*columns).where(_s.account_id == account_id).order_by(_s.created_at.desc(), _s.digest)
    return [(row[0], SessionRow(*row[1:])) for row in connection.execute(query)]


def seen(connection: Connection, digest: str, at: datetime) -> None:
    connection.execute(update(t.sessions).where(_s.digest == digest).values(seen_at=at))


def end(connection: Connection, digest: str) -> None:
    connection.execute(delete(t.sessions).where(_s.digest == digest))


def end_all(connection: Connection, account_id: int) -> int:
    return connection.execute(delete(t.sessions).where(_s.account_id == account_id)).rowcount


def prune(connection: Connection, now: datetime, idle_before: datetime) -> int:
    stale = (_s.expires_at <= now) | (_s.seen_at <= idle_before)
    return connection.execute(delete(t.sessions).where(stale)).rowcount


def add_link(connection: Connection, digest: str, account_id: int, at: datetime, expires_at: datetime) -> None:
    values = {"digest": digest, "account_id": account_id, "created_at": at, "expires_at": expires_at}
    connection.execute(insert(t.sign_in_links).values(values))


def use_link(connection: Connection, digest: str, now: datetime) -> int | None:
    """The link's account, marking it used in the same statement, so that two clicks sign in once."""
    fresh = (_l.digest == digest) & _l.used_at.is_(None) & (_l.expires_at > now)
    used = connection.execute(update(t.sign_in_links).where(fresh).values(used_at=now).returning(_l.account_id))
    row = used.first()
    return None if row is None else int(row[0])


def add_failure(connection: Connection, keys: list[str], at: datetime) -> None:
    connection.execute(insert(t.sign_in_failures), [{"key": key, "at": at} for key in keys])


def failures_since(connection: Connection, key: str, since: datetime) -> int:
    query = select(func.count()).select_from(t.sign_in_failures).where(_f.key == key, _f.at > since)
    return int(connection.execute(query).scalar_one())


def forget_failures(connection: Connection, key: str) -> None:
    connection.execute(delete(t.sign_in_failures).where(_f.key == key))


def forget_failure(connection: Connection, key: str, at: datetime) -> None:
    """One attempt's row of `key` at `at` (an attempt that turned out to succeed)."""
    one = select(func.min(_f.id)).where(_f.key == key, _f.at == at).scalar_subquery()
    connection.execute(delete(t.sign_in_failures).where(_f.id == one))


def prune_failures(connection: Connection, before: datetime) -> int:
    return connection.execute(delete(t.sign_in_failures).where(_f.at <= before)).rowcount

"""Heartbeat ping URLs and recording pings.

A check's ping token is an HMAC of its id under the secret key: nothing secret is stored, the URL is the same
after every restart, and it cannot be guessed from the id. Changing the key changes every URL.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import insert, select

from watchkeeper.store import Database
from watchkeeper.store import tables as t

PingKind = Literal["success", "start", "fail"]
BODY_LIMIT = 10 * 1024


def ping_token(secret_key: str, check_id: str) -> str:
    mac = hmac.new(secret_key.encode(), f"heartbeat:{check_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


@dataclass(frozen=True)
class PingUrls:
    """A heartbeat check's ping URLs: a run succeeded, began, failed, or ended with an exit code."""

    success: str
    start: str
    fail: str
    exit_code: str
    """With `{code}` where the exit code goes (0 is success, 1 to 255 a failure)."""

    def as_dict(self) -> dict[str, str]:
        return {"success": self.success, "start": self.start, "fail": self.fail, "exit_code": self.exit_code}


def ping_urls(base_url: str, token: str) -> PingUrls:
    ping = f"{base_url.rstrip('/')}/ping/{token}"
    return PingUrls(ping, f"{ping}/start", f"{ping}/fail", f"{ping}/{{code}}")


def stored_check_types(db: Database) -> dict[str, str]:
    """The type of every check in force, by id."""
    with db.reading() as connection:
        return dict(connection.execute(select(t.checks.c.id, t.checks.c.type)).all())


@dataclass
class TokenIndex:
    """Token -> check id for the heartbeat checks in force, rebuilt only when that set of checks changes."""

    secret_key: str
    check_ids: frozenset[str] = frozenset()
    by_token: dict[str, str] | None = None

    def find(self, db: Database, token: str) -> str | None:
        with db.reading() as connection:
            ids = frozenset(connection.execute(select(t.checks.c.id).where(t.checks.c.type == "heartbeat")).scalars())
        if self.by_token is None or ids != self.check_ids:
            self.check_ids = ids
            self.by_token = {ping_token(self.secret_key, check_id): check_id for check_id in ids}
        found = self.by_token.get(token)
        return found if found is not None and hmac.compare_digest(ping_token(self.secret_key, found), token) else None


def record_ping(db: Database, check_id: str, at: datetime, kind: PingKind, exit_code: int | None, body: bytes) -> None:
    text = body[:BODY_LIMIT].decode("utf-8", errors="replace").replace("\x00", "")
    with db.transaction() as connection:
        connection.execute(
            insert(t.heartbeat_pings).values(
                check_id=check_id, at=at, kind=kind, exit_code=exit_code, body=text or None
            )
        )

"""API tokens, found by the SHA-256 digest of their secret."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from watchkeeper.store import tables as t

_k = t.api_tokens.c


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    hint: str
    account_id: int | None
    team_id: str | None
    scopes: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    used_at: datetime | None


_COLUMNS = (
    _k.id,
    _k.name,
    _k.hint,
    _k.account_id,
    _k.team_id,
    _k.scopes,
    _k.created_at,
    _k.created_by,
    _k.expires_at,
    _k.revoked_at,
    _k.revoked_by,
    _k.used_at,
)


def add(connection: Connection, values: dict[str, Any]) -> int:
    return int(connection.execute(insert(t.api_tokens).values(values).returning(_k.id)).scalar_one())


def by_digest(connection: Connection, digest: str) -> TokenRow | None:
    row = connection.execute(select(*_COLUMNS).where(_k.digest == digest)).first()
    return None if row is None else TokenRow(**row._mapping)


def by_id(connection: Connection, token_id: int) -> TokenRow | None:
    row = connection.execute(select(*_COLUMNS).where(_k.id == token_id)).first()
    return None if row is None else TokenRow(**row._mapping)


def listing(connection: Connection, account_id: int | None = None, team_id: str | None = None) -> list[TokenRow]:
    query = select(*_COLUMNS).order_by(_k.id)
    if account_id is not None:
        query = query.where(_k.account_id == account_id)
    if team_id is not None:
        query = query.where(_k.team_id == team_id)
    return [TokenRow(**row._mapping) for row in connection.execute(query)]


def revoke(connection: Connection, token_id: int, at: datetime, by: str) -> bool:
    live = (_k.id == token_id) & _k.revoked_at.is_(None)
    return connection.execute(update(t.api_tokens).where(live).values(revoked_at=at, revoked_by=by)).rowcount == 1


def used(connection: Connection, token_id: int, at: datetime) -> None:
    connection.execute(update(t.api_tokens).where(_k.id == token_id).values(used_at=at))

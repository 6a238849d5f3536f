"""Accounts, and what the catalog says of the person with each account's email."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from watchkeeper.domain import emails
from watchkeeper.store import tables as t

_a = t.accounts.c


@dataclass(frozen=True)
class AccountRow:
    id: int
    email: str
    name: str
    role: str
    team_id: str | None
    password_hash: str | None
    oidc_issuer: str | None
    oidc_subject: str | None
    created_at: datetime
    created_by: str
    disabled_at: datetime | None


@dataclass(frozen=True)
class PersonRow:
    """The catalog person an account's email names, with their team."""

    id: str
    name: str
    team_id: str
    platform_team: bool


_COLUMNS = (
    _a.id,
    _a.email,
    _a.name,
    _a.role,
    _a.team_id,
    _a.password_hash,
    _a.oidc_issuer,
    _a.oidc_subject,
    _a.created_at,
    _a.created_by,
    _a.disabled_at,
)


def add(connection: Connection, values: dict[str, Any]) -> int:
    inserted = connection.execute(insert(t.accounts).values(values).returning(_a.id))
    return int(inserted.scalar_one())


def by_id(connection: Connection, account_id: int) -> AccountRow | None:
    row = connection.execute(select(*_COLUMNS).where(_a.id == account_id)).first()
    return None if row is None else AccountRow(**row._mapping)


def by_email(connection: Connection, email: str) -> AccountRow | None:
    row = connection.execute(select(*_COLUMNS).where(_a.email == email)).first()
    return None if row is None else AccountRow(**row._mapping)


def by_subject(connection: Connection, issuer: str, subject: str) -> AccountRow | None:
    query = select(*_COLUMNS).where(_a.oidc_issuer == issuer, _a.oidc_subject == subject)
    row = connection.execute(query).first()
    return None if row is None else AccountRow(**row._mapping)


def link_subject(connection: Connection, account_id: int, issuer: str, subject: str) -> bool:
    """Links the account to a single sign-on identity unless it is already linked (to this one or another)."""
    query = (
        update(t.accounts)
        .where(_a.id == account_id, _a.oidc_subject.is_(None))
        .values(oidc_issuer=issuer, oidc_subject=subject)
    )
    return connection.execute(query).rowcount == 1


def listing(connection: Connection) -> list[AccountRow]:
    return [AccountRow(**row._mapping) for row in connection.execute(select(*_COLUMNS).order_by(_a.email))]


def change(connection: Connection, account_id: int, values: dict[str, Any]) -> bool:
    return connection.execute(update(t.accounts).where(_a.id == account_id).values(values)).rowcount == 1


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(t.accounts)).scalar_one())


def person_by_email(connection: Connection, email: str) -> PersonRow | None:
    """Catalog emails are compared folded (`domain.emails`), on the copy the catalog sync keeps; the first person
    by id wins a tie."""
    p, team = t.people.c, t.teams.c
    query = (
        select(p.id, p.name, p.team_id, team.platform_team)
        .join(t.teams, team.id == p.team_id)
        .where(p.email_key == emails.fold(email))
        .order_by(p.id)
        .limit(1)
    )
    row = connection.execute(query).first()
    return None if row is None else PersonRow(row[0], row[1], row[2], bool(row[3]))


def team_exists(connection: Connection, team_id: str) -> bool:
    return connection.execute(select(t.teams.c.id).where(t.teams.c.id == team_id)).first() is not None

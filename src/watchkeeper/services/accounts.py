"""Accounts: made by the `users` command, the console or single sign-on; what each account may do; passwords.

Passwords are kept as argon2id hashes (argon2-cffi's defaults: 64 MiB, 3 passes), rehashed at sign-in when
those defaults change. An email is compared in lower case, and links an account to the catalog person with the
same email, whose team membership (and the platform team's admin rights) the account then has."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.domain import emails
from watchkeeper.domain.access import ALL_SCOPES, TEAM_ROLES, Grant, Membership, Principal, Role, Scope, rights
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.refusals import Conflict, NotFound, Refused, encodable, person_text
from watchkeeper.store import Database
from watchkeeper.store import accounts as store
from watchkeeper.store import sessions as session_store
from watchkeeper.store.accounts import AccountRow

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
NAME_LIMIT = 200
EMAIL_LIMIT = 320
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$")
_hasher = PasswordHasher()
_NOBODY = _hasher.hash("a password nobody has, to spend the same time on an unknown email")


@dataclass(frozen=True)
class AccountView:
    id: int
    email: str
    name: str
    role: Role
    team: str | None
    person_id: str | None
    password: bool
    single_sign_on: bool
    created_at: datetime
    created_by: str
    disabled_at: datetime | None
    catalog_team: str | None = None
    """The team of the catalog person with this email, if any."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "team": self.team,
            "person": self.person_id,
            "catalog_team": self.catalog_team,
            "password": self.password,
            "single_sign_on": self.single_sign_on,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None,
        }


@dataclass(frozen=True)
class NewAccount:
    email: str
    role: str
    team: str | None = None
    name: str | None = None
    password: str | None = None
    single_sign_on: tuple[str, str] | None = None
    """(issuer, subject) of the identity that made it, for an account made at its first single sign-on."""


def email_of(text: str) -> str:
    cleaned = emails.fold(text.strip())
    if not _EMAIL.match(cleaned) or len(cleaned) > EMAIL_LIMIT or not encodable(cleaned):
        raise Refused(f"{text.strip()[:80]!r} is not an email address")
    return cleaned


def role_of(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise Refused(f"{text.strip()[:40]!r} is not a role: use one of {choices}") from None


def checked_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise Refused(f"the password is shorter than {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise Refused(f"the password is longer than {PASSWORD_MAX} characters")
    if password.strip() != password or "\x00" in password:
        raise Refused("the password starts or ends with a space, or has a NUL character")
    return password


def _any(connection: Connection, email: str, grant: Grant) -> None:
    """Anyone at the server (the `users` command) makes any account."""


def create_account(
    db: Database, now: datetime, new: NewAccount, actor: Actor, check: Callable[[Connection, str, Grant], None] = _any
) -> AccountView:
    """`check(connection, email, grant)` refuses, in the same transaction, an account its maker may not make."""
    email = email_of(new.email)
    role = role_of(new.role)
    password_hash = _hasher.hash(checked_password(new.password)) if new.password is not None else None
    with db.transaction() as connection:
        team = _checked_team(connection, role, new.team)
        check(connection, email, Grant(role, team))
        person = store.person_by_email(connection, email)
        name = person_text(new.name, "name", NAME_LIMIT) if new.name else (person.name if person else email)
        values = {
            "email": email,
            "name": name,
            "role": role.value,
            "team_id": team,
            "password_hash": password_hash,
            "oidc_issuer": new.single_sign_on[0] if new.single_sign_on else None,
            "oidc_subject": new.single_sign_on[1] if new.single_sign_on else None,
            "created_at": now,
            "created_by": actor.name,
        }
        try:
            account_id = store.add(connection, values)
        except IntegrityError:
            raise Conflict(f"there is already an account for {email}") from None
        row = store.by_id(connection, account_id)
        assert row is not None
        made = view(connection, row)
        record(connection, actor, now, "account.create", ("account", str(account_id)), team, after=made.as_json())
    return made


def _checked_team(connection: Connection, role: Role, team: str | None) -> str | None:
    if role in TEAM_ROLES and not team:
        raise Refused(f"a {role.value} needs a team: give its team")
    if role not in TEAM_ROLES and team:
        raise Refused(f"a {role.value} has no team of their own; leave the team out")
    if team and (not is_valid_id(team) or not store.team_exists(connection, team)):
        raise NotFound(f"no team {team[:63]!r} in the catalog")
    return team


def set_password(db: Database, now: datetime, email: str, password: str, actor: Actor) -> None:
    """A new password; every session of the account ends, so a stolen session does not outlive the change."""
    password_hash = _hasher.hash(checked_password(password))
    with db.transaction() as connection:
        row = _account(connection, email)
        store.change(connection, row.id, {"password_hash": password_hash})
        session_store.end_all(connection, row.id)
        record(connection, actor, now, "account.password", ("account", str(row.id)), row.team_id)


def set_own_password(db: Database, now: datetime, row: AccountRow, new: str, actor: Actor) -> None:
    """The account's new password, once its current one has been checked (`sign_in.change_own_password`): every
    session ends, the one it was changed from too."""
    password_hash = _hasher.hash(checked_password(new))
    with db.transaction() as connection:
        store.change(connection, row.id, {"password_hash": password_hash})
        session_store.end_all(connection, row.id)
        record(connection, actor, now, "account.password", ("account", str(row.id)), row.team_id)


def disable_account(db: Database, now: datetime, email: str, actor: Actor) -> AccountView:
    with db.transaction() as connection:
        return disable_row(connection, _account(connection, email), now, actor)


def disable_row(connection: Connection, row: AccountRow, now: datetime, actor: Actor) -> AccountView:
    """Disables the account in the caller's transaction: its sessions end and its personal tokens stop."""
    if row.disabled_at is not None:
        raise Conflict(f"the account for {row.email} is already disabled")
    before = view(connection, row).as_json()
    store.change(connection, row.id, {"disabled_at": now})
    session_store.end_all(connection, row.id)
    changed = store.by_id(connection, row.id)
    assert changed is not None
    after = view(connection, changed)
    obj = ("account", str(row.id))
    record(connection, actor, now, "account.disable", obj, row.team_id, before, after.as_json())
    return after


def list_accounts(db: Database) -> list[AccountView]:
    with db.reading() as connection:
        return [view(connection, row) for row in store.listing(connection)]


def _account(connection: Connection, email: str) -> AccountRow:
    row = store.by_email(connection, email_of(email))
    if row is None:
        raise NotFound(f"no account for {email.strip()[:80]}")
    return row


def view(connection: Connection, row: AccountRow) -> AccountView:
    principal = principal_of(connection, row)
    person = store.person_by_email(connection, row.email)
    return AccountView(
        id=row.id,
        email=row.email,
        name=row.name,
        role=principal.role,
        team=row.team_id,
        person_id=principal.person_id,
        password=row.password_hash is not None,
        single_sign_on=row.oidc_subject is not None,
        created_at=row.created_at,
        created_by=row.created_by,
        disabled_at=row.disabled_at,
        catalog_team=person.team_id if person else None,
    )


def principal_of(
    connection: Connection, row: AccountRow, scopes: frozenset[Scope] = ALL_SCOPES, via: str = "session"
) -> Principal:
    membership = membership_of(connection, row.email)
    platform_admin, admin_of, member_of = rights(Grant(Role(row.role), row.team_id), membership)
    return Principal(
        name=row.name,
        account_id=row.id,
        email=row.email,
        person_id=membership.person_id,
        platform_admin=platform_admin,
        admin_of=admin_of,
        member_of=member_of,
        scopes=scopes,
        via=via,
    )


def membership_of(connection: Connection, email: str) -> Membership:
    """What the catalog grants the person with this email (ADR 0038): their team, and the platform team's rights."""
    person = store.person_by_email(connection, email)
    return Membership(
        person_id=person.id if person else None,
        team=person.team_id if person else None,
        platform_team=bool(person and person.platform_team),
    )


def password_matches(row: AccountRow | None, password: str) -> bool:
    """Always spends one argon2 verification, so that an unknown email answers as slowly as a known one."""
    stored = row.password_hash if row is not None and row.password_hash else None
    try:
        return _hasher.verify(stored or _NOBODY, password[:PASSWORD_MAX]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def rehash_if_needed(connection: Connection, row: AccountRow, password: str) -> None:
    if row.password_hash and _hasher.check_needs_rehash(row.password_hash):
        store.change(connection, row.id, {"password_hash": _hasher.hash(password)})

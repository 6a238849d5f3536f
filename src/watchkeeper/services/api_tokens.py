"""API tokens: personal (acting as their account, within their scopes) or a team's (acting as a member of the
team, within their scopes), each with an expiry; shown once, kept as a SHA-256 digest, revocable.

A token is 256 random bits after a `wk_` prefix that says what it is (and lets secret scanners find one pasted
where it should not be). So many bits cannot be guessed, so one fast digest is enough to find it by."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from watchkeeper.catalog.types import is_valid_id
from watchkeeper.domain.access import Principal, Scope
from watchkeeper.services.accounts import email_of, principal_of
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.refusals import Conflict, NotFound, Refused, person_text
from watchkeeper.services.sign_in import digest_of
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.store import api_tokens as store
from watchkeeper.store.api_tokens import TokenRow

PREFIX = "wk_"
LONGEST = timedelta(days=366)
DEFAULT_LIFE = timedelta(days=90)
USED_EVERY = timedelta(minutes=1)
NAME_LIMIT = 200


@dataclass(frozen=True)
class NewToken:
    name: str
    scopes: list[str]
    email: str | None = None
    """A personal token of this account; or give `team`."""
    team: str | None = None
    life: timedelta = DEFAULT_LIFE


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    hint: str
    account: str | None
    team: str | None
    scopes: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    used_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        stamp = {k: getattr(self, k) for k in ("created_at", "expires_at", "revoked_at", "used_at")}
        return {
            "id": self.id,
            "name": self.name,
            "hint": self.hint,
            "account": self.account,
            "team": self.team,
            "scopes": self.scopes,
            "created_by": self.created_by,
            **{k: v.isoformat() if v else None for k, v in stamp.items()},
        }


def scopes_of(given: list[str]) -> list[str]:
    if not given:
        raise Refused(f"give at least one scope: {', '.join(s.value for s in Scope)}")
    unknown = [s for s in given if s not in {scope.value for scope in Scope}]
    if unknown:
        raise Refused(f"{unknown[0][:40]!r} is not a scope: use {', '.join(s.value for s in Scope)}")
    return sorted(set(given))


def create(db: Database, now: datetime, new: NewToken, actor: Actor) -> tuple[TokenView, str]:
    """The token and its secret, which is shown this once and never again."""
    name = person_text(new.name, "name", NAME_LIMIT)
    scopes = scopes_of(new.scopes)
    beyond = sorted(set(scopes) - {scope.value for scope in actor.principal.scopes})
    if beyond:  # a token that may make tokens makes none wider than itself
        raise Refused(f"this token lacks the scope {beyond[0]!r}, so it cannot give it to another", 403)
    if (new.email is None) == (new.team is None):
        raise Refused("a token is either personal (give the account's email) or a team's (give the team)")
    if not timedelta(minutes=1) <= new.life <= LONGEST:
        raise Refused("a token lasts between 1 minute and 366 days")
    secret = PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as connection:
        account_id, team = _owner(connection, new, actor)
        _within_maker_life(connection, now + new.life, actor)
        values = {
            "name": name,
            "digest": digest_of(secret),
            "hint": secret[-4:],
            "account_id": account_id,
            "team_id": team,
            "scopes": scopes,
            "created_at": now,
            "created_by": actor.name,
            "expires_at": now + new.life,
        }
        token_id = store.add(connection, values)
        made = _view(connection, _row(connection, token_id))
        record(connection, actor, now, "token.create", ("token", str(token_id)), team, after=made.as_json())
    return made, secret


def _within_maker_life(connection: Connection, expires_at: datetime, actor: Actor) -> None:
    """A token that makes tokens makes none that outlives it, as it makes none wider: else a token stolen the
    day before it ends would buy a year's access."""
    maker = actor.principal.token_id
    row = store.by_id(connection, maker) if maker is not None else None
    if row is not None and row.expires_at is not None and expires_at > row.expires_at:
        raise Refused(
            f"this token ends at {row.expires_at:%Y-%m-%d %H:%M} UTC, so a token it makes must end by then too: "
            "ask for a shorter expires_in, or make the token signed in as yourself",
            403,
        )


def _owner(connection: Connection, new: NewToken, actor: Actor) -> tuple[int | None, str | None]:
    who = actor.principal
    if new.team is not None:
        if not is_valid_id(new.team) or not account_store.team_exists(connection, new.team):
            raise NotFound(f"no team {new.team[:63]!r} in the catalog")
        if not (who.platform_admin or new.team in who.admin_of):
            raise Refused(f"only an admin of team {new.team} or a platform admin makes its tokens", 403)
        return None, new.team
    assert new.email is not None
    row = account_store.by_email(connection, email_of(new.email))
    if row is None:
        raise NotFound(f"no account for {new.email.strip()[:80]}")
    if row.id != who.account_id and not who.platform_admin:
        raise Refused("a personal token is made by its own account, or by a platform admin", 403)
    return row.id, None


def revoke(db: Database, now: datetime, token_id: int, actor: Actor) -> TokenView:
    with db.transaction() as connection:
        row = _row(connection, token_id)
        if not may_manage(actor.principal, row):
            raise NotFound(f"no token {token_id}")
        before = _view(connection, row)
        if not store.revoke(connection, token_id, now, actor.name):
            raise Conflict(f"token {token_id} is already revoked")
        after = _view(connection, _row(connection, token_id))
        obj = ("token", str(token_id))
        record(connection, actor, now, "token.revoke", obj, row.team_id, before.as_json(), after.as_json())
    return after


def may_manage(who: Principal, row: TokenRow) -> bool:
    """Its own account, an admin of its team, or a platform admin; nobody else learns it exists."""
    if who.platform_admin:
        return True
    if row.account_id is not None:
        return row.account_id == who.account_id
    return row.team_id in who.admin_of


def listing(db: Database, who: Principal) -> list[TokenView]:
    with db.reading() as connection:
        rows = [row for row in store.listing(connection) if may_manage(who, row)]
        return [_view(connection, row) for row in rows]


def one(db: Database, who: Principal, token_id: int) -> TokenView:
    with db.reading() as connection:
        row = _row(connection, token_id)
        if not may_manage(who, row):
            raise NotFound(f"no token {token_id}")
        return _view(connection, row)


def personal(db: Database, who: Principal) -> list[TokenView]:
    """The tokens of the signed-in person's own account."""
    if who.account_id is None:
        return []
    with db.reading() as connection:
        return [_view(connection, row) for row in store.listing(connection, account_id=who.account_id)]


def of_teams(db: Database, who: Principal) -> list[TokenView]:
    """The team tokens a person manages: every team's for a platform admin, else those of the teams they admin."""
    with db.reading() as connection:
        rows = [row for row in store.listing(connection) if row.team_id is not None and may_manage(who, row)]
        return [_view(connection, row) for row in rows]


def _row(connection: Connection, token_id: int) -> TokenRow:
    row = store.by_id(connection, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    return row


def _view(connection: Connection, row: TokenRow) -> TokenView:
    account = account_store.by_id(connection, row.account_id) if row.account_id is not None else None
    return TokenView(
        id=row.id,
        name=row.name,
        hint=row.hint,
        account=account.email if account else None,
        team=row.team_id,
        scopes=list(row.scopes),
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        used_at=row.used_at,
    )


def principal_of_token(db: Database, now: datetime, secret: str) -> Principal | None:
    """Whom a token acts as, or None for a token that is unknown, revoked, expired, or whose account is disabled."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    with db.reading() as connection:
        row = store.by_digest(connection, digest_of(secret))
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        scopes = frozenset(Scope(s) for s in row.scopes)
        principal = _acting_as(connection, row, scopes)
    if principal is not None and (row.used_at is None or now - row.used_at >= USED_EVERY):
        with db.transaction() as connection:
            store.used(connection, row.id, now)
    return principal


def _acting_as(connection: Connection, row: TokenRow, scopes: frozenset[Scope]) -> Principal | None:
    if row.team_id is not None:
        name = f"{row.name} (a token of team {row.team_id})"
        return Principal(name=name, member_of=frozenset({row.team_id}), scopes=scopes, via="token", token_id=row.id)
    account = account_store.by_id(connection, row.account_id) if row.account_id is not None else None
    if account is None or account.disabled_at is not None:
        return None
    acting = principal_of(connection, account, scopes, via="token")
    return Principal(**{**acting.__dict__, "name": f"{account.name} (token {row.name})", "token_id": row.id})

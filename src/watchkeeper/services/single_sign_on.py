"""Signing in with an OpenID Connect provider: which account a verified identity signs in to (ADR 0043).

An identity already linked to an account signs in to it. Otherwise the account with the same verified email is
linked to it on first use. Otherwise, when the email is a catalog person's, an account is made for them as a
viewer: the catalog's membership then makes them a member of their team (and the platform team's members
platform admins). Anyone else is refused with the reason, and so is a disabled account.
"""

from contextlib import suppress
from datetime import datetime

from sqlalchemy import Connection

from watchkeeper.domain.access import Principal, Role
from watchkeeper.domain.single_sign_on import Identity, refusal
from watchkeeper.services import accounts
from watchkeeper.services.accounts import NewAccount, principal_of
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.refusals import Conflict, Refused
from watchkeeper.services.sign_in import SignedIn
from watchkeeper.store import Database
from watchkeeper.store import accounts as store
from watchkeeper.store.accounts import AccountRow

MADE_BY = "single sign-on"


class NoAccount(Refused):
    status = 403


def sign_in(db: Database, now: datetime, identity: Identity, domains: frozenset[str]) -> SignedIn:
    why = refusal(identity, domains)
    if why is not None:
        raise Refused(why, 403)
    row = _linked(db, now, identity) or _made(db, now, identity)
    return SignedIn(row, "oidc")


def _linked(db: Database, now: datetime, identity: Identity) -> AccountRow | None:
    """The account this identity signs in to, linking it by email on first use; None when there is none."""
    assert identity.email is not None  # refusal() let it through
    with db.transaction() as connection:
        row = store.by_subject(connection, identity.issuer, identity.subject)
        if row is not None:
            return _usable(row)
        row = store.by_email(connection, accounts.email_of(identity.email))
        if row is None:
            return None
        _usable(row)
        if row.oidc_subject is not None or not store.link_subject(
            connection, row.id, identity.issuer, identity.subject
        ):
            # The email moved to someone else at the provider, or was linked before: an admin decides.
            raise Refused(
                f"the account for {row.email} is linked to a different single sign-on identity: ask an admin", 403
            )
        _record_link(connection, now, row, identity)
        return row


def _usable(row: AccountRow) -> AccountRow:
    if row.disabled_at is not None:
        raise Refused(f"the account for {row.email} is disabled: ask an admin", 403)
    return row


def _record_link(connection: Connection, now: datetime, row: AccountRow, identity: Identity) -> None:
    actor = Actor(principal_of(connection, row), "console")
    after = {"issuer": identity.issuer, "subject": identity.subject}
    record(connection, actor, now, "account.single-sign-on", ("account", str(row.id)), row.team_id, after=after)


def _made(db: Database, now: datetime, identity: Identity) -> AccountRow:
    assert identity.email is not None
    email = accounts.email_of(identity.email)
    with db.reading() as connection:
        person = store.person_by_email(connection, email)
    if person is None:
        raise NoAccount(
            f"no account exists for {email}, and no one in the catalog has that email: ask an admin to make you one"
        )
    new = NewAccount(email=email, role=Role.VIEWER.value, single_sign_on=(identity.issuer, identity.subject))
    with suppress(Conflict):  # another first sign-in made it a moment ago
        accounts.create_account(db, now, new, Actor(Principal(name=MADE_BY), "console"))
    found = _linked(db, now, identity)
    assert found is not None
    return found

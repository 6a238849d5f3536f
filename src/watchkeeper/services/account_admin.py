"""Accounts as their admins see them, and where a person's rights come from.

A platform admin sees and manages every account. A team admin sees the accounts of their own team (those whose
role names the team, and those whose catalog person is in it) and manages them, but never one with rights beyond
their own (`domain.access.out_of_reach`): not a platform admin's, nor one with rights in another team, by role or
by the catalog. The catalog grants by email, so this holds when an account is made too: an account, or a sign-in
link, for a platform-team person's email would make its maker a platform admin.

Nobody disables their own account here, so that the last admin cannot lock everyone out by a slip; the
`users disable` command still can, at the server."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from watchkeeper.domain.access import TEAM_ROLES, Grant, Principal, Role, out_of_reach, rights
from watchkeeper.services import accounts, sign_in
from watchkeeper.services.accounts import AccountView, NewAccount, disable_row
from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.store import Database, overview
from watchkeeper.store import accounts as store
from watchkeeper.store.accounts import AccountRow, PersonRow
from watchkeeper.store.overview import TeamRow


@dataclass(frozen=True)
class Standing:
    """Where an account's rights come from: the catalog person with its email, then its own role (ADR 0038)."""

    account: AccountView
    person: PersonRow | None
    granted: Role
    """The account's own role, which only adds to the catalog's."""


@dataclass(frozen=True)
class MadeAccount:
    account: AccountView
    link_secret: str | None
    """A one-time sign-in link's secret, shown once; None when the account was given a password."""


def visible(who: Principal, account: AccountView) -> bool:
    return who.platform_admin or bool({account.team, account.catalog_team} & who.admin_of)


def accounts_for(db: Database, who: Principal) -> list[AccountView]:
    return [account for account in accounts.list_accounts(db) if visible(who, account)]


def account_for(db: Database, who: Principal, account_id: int) -> AccountView:
    with db.reading() as connection:
        row = store.by_id(connection, account_id)
        found = accounts.view(connection, row) if row is not None else None
    if found is None or not visible(who, found):
        raise NotFound(f"no account {account_id}")  # an account out of reach is not said to exist
    return found


def create_with_link(db: Database, now: datetime, new: NewAccount, life: timedelta, actor: Actor) -> MadeAccount:
    """An account without a password and a one-time link for its first sign-in, for the admin to pass on."""
    who = actor.principal
    may_grant(who, accounts.role_of(new.role), new.team)

    def within_reach(connection: Connection, email: str, grant: Grant) -> None:
        _check_reach(who, email, rights(grant, accounts.membership_of(connection, email)), "makes")

    made = accounts.create_account(db, now, new, actor, within_reach)
    secret = sign_in.issue_link(db, now, made.email, life, actor)
    return MadeAccount(made, secret)


def may_grant(who: Principal, role: Role, team: str | None) -> None:
    """A platform admin grants any role; a team admin only their own team's roles, so that nobody can make an
    account with more rights than their own."""
    if who.platform_admin:
        return
    if role in TEAM_ROLES and team is not None and team in who.admin_of:
        return
    if who.admin_of:
        teams = ", ".join(sorted(who.admin_of))
        raise Refused(f"a team admin makes team-member or team-admin accounts of their own team ({teams})", 403)
    raise Refused("only a platform admin or a team's admin makes accounts", 403)


def disable(db: Database, now: datetime, account_id: int, actor: Actor) -> AccountView:
    who = actor.principal
    with db.transaction() as connection:
        row = store.by_id(connection, account_id)
        found = accounts.view(connection, row) if row is not None else None
        if row is None or found is None or not visible(who, found):
            raise NotFound(f"no account {account_id}")
        if row.id == who.account_id:
            raise Refused("you cannot disable your own account here: ask another admin", 403)
        _within_reach(connection, who, row, "disables")
        return disable_row(connection, row, now, actor)


def new_link(db: Database, now: datetime, account_id: int, life: timedelta, actor: Actor) -> tuple[AccountView, str]:
    """A one-time sign-in link for an account (a first sign-in, or someone locked out), shown once."""
    found = account_for(db, actor.principal, account_id)
    with db.reading() as connection:
        row = store.by_id(connection, account_id)
        assert row is not None
        _within_reach(connection, actor.principal, row, "makes sign-in links for")
    return found, sign_in.issue_link(db, now, found.email, life, actor)


def _within_reach(connection: Connection, who: Principal, row: AccountRow, does: str) -> None:
    grant = Grant(Role(row.role), row.team_id)
    _check_reach(who, row.email, rights(grant, accounts.membership_of(connection, row.email)), does)


def _check_reach(who: Principal, email: str, held: tuple[bool, frozenset[str], frozenset[str]], does: str) -> None:
    platform_admin, admin_of, member_of = held
    reason = out_of_reach(who, platform_admin, admin_of | member_of)
    if reason is not None:
        whose = "a platform admin" if platform_admin else "those teams' admin or a platform admin"
        raise Refused(f"{email} {reason}: only {whose} {does} their account", 403)


def team_choices(db: Database, who: Principal) -> list[TeamRow]:
    """The teams whose accounts and tokens this person makes: every team for a platform admin."""
    with db.reading() as connection:
        every = overview.teams(connection)
    return [team for team in every if who.platform_admin or team.id in who.admin_of]


def role_choices(who: Principal) -> list[Role]:
    return list(Role) if who.platform_admin else [Role.TEAM_MEMBER, Role.TEAM_ADMIN]


def standing(db: Database, account_id: int) -> Standing:
    with db.reading() as connection:
        row = store.by_id(connection, account_id)
        if row is None:
            raise NotFound(f"no account {account_id}")
        return Standing(accounts.view(connection, row), store.person_by_email(connection, row.email), Role(row.role))

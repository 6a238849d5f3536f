"""`watchkeeper users`: accounts for the console and API, made at the server (a fresh install's first admin is
made here), with a password read from standard input or a one-time sign-in link."""

import sys

import click

from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.cli.suppression import database, login_name, refused_is_failure, utc
from watchkeeper.domain.access import Role
from watchkeeper.domain.durations import format_duration
from watchkeeper.services import accounts, sign_in
from watchkeeper.services.accounts import AccountView, NewAccount
from watchkeeper.services.audit import Actor, cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database

ROLES = [role.value for role in Role]


@click.group()
def users() -> None:
    """Accounts: who may sign in to the console and the API, and with what role."""


def _actor() -> Actor:
    return cli_actor(login_name() or "the watchkeeper command")


@users.command("create")
@click.option("--email", required=True, help="Their email; it links the account to the catalog person with it.")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--team", help="The team of a team-admin or team-member.")
@click.option("--name", help="How they are named; by default the catalog person's name, or the email.")
@click.option("--link", "with_link", is_flag=True, help="Print a one-time sign-in link instead of reading a password.")
@json_option
def create(email: str, role: str, team: str | None, name: str | None, with_link: bool, as_json: bool) -> None:
    """Make an account. The password is read from standard input (asked for twice at a terminal); with --link,
    no password is set and a one-time sign-in link is printed instead."""
    if (role in (Role.TEAM_ADMIN, Role.TEAM_MEMBER)) != bool(team):
        fail(f"a {role} needs --team" if not team else f"a {role} has no team of their own; leave out --team")
    password = None if with_link else _password()
    now = SystemClock().now()
    new = NewAccount(email=email, role=role, team=team, name=name, password=password)
    with database() as db:
        made = refused_is_failure(accounts.create_account, db, now, new, _actor())
        link = _link(db, made.email) if with_link else None
    if as_json:
        emit_json({**made.as_json(), "sign_in_link": link})
        return
    click.echo(f"Account {made.email} made: {_described(made)}.")
    if link:
        click.echo(f"One-time sign-in link (shown once, works for {_life()}): {link}")


@users.command("link")
@click.option("--email", required=True, help="The account's email.")
def link_command(email: str) -> None:
    """Print a one-time sign-in link for an account: for a first sign-in, or someone locked out or without a
    password. It works once, for WATCHKEEPER_SIGN_IN_LINK_LIFE."""
    with database() as db:
        link = _link(db, email)
    click.echo(f"One-time sign-in link (shown once, works for {_life()}): {link}")


@users.command("password")
@click.option("--email", required=True, help="The account's email.")
def password_command(email: str) -> None:
    """Set an account's password, read from standard input; every session of the account ends."""
    password = _password()
    with database() as db:
        refused_is_failure(accounts.set_password, db, SystemClock().now(), email, password, _actor())
    click.echo(f"Password set for {email.strip().lower()}; its sessions have ended.")


@users.command("disable")
@click.option("--email", required=True, help="The account's email.")
def disable_command(email: str) -> None:
    """Disable an account: it cannot sign in, and its sessions and personal tokens stop working at once."""
    with database() as db:
        view = refused_is_failure(accounts.disable_account, db, SystemClock().now(), email, _actor())
    click.echo(f"Account {view.email} disabled.")


@users.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """Every account, with its role (the catalog's and its own) and how it signs in."""
    with database() as db:
        found = accounts.list_accounts(db)
    if as_json:
        emit_json([view.as_json() for view in found])
        return
    if not found:
        click.echo("no accounts: make the first admin with `watchkeeper users create --role platform-admin`")
    for view in found:
        state = f", disabled {utc(view.disabled_at)}" if view.disabled_at else ""
        click.echo(f"{view.email}  {_described(view)}{state}")


def _described(view: AccountView) -> str:
    teams = f" of {view.team}" if view.team else ""
    person = f", catalog person {view.person_id}" if view.person_id else ", in no catalog team"
    ways = [way for way, has in (("password", view.password), ("single sign-on", view.single_sign_on)) if has]
    return f"{view.role.value}{teams}{person}, signs in with {' and '.join(ways) or 'a link only'}"


def _link(db: Database, email: str) -> str:
    settings = Settings()
    now = SystemClock().now()
    secret = refused_is_failure(sign_in.issue_link, db, now, email, settings.sign_in_link_life, _actor())
    return f"{settings.base_url()}/login/link/{secret}"


def _life() -> str:
    return format_duration(Settings().sign_in_link_life)


def _password() -> str:
    """From a terminal, asked twice without echo; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    if not line:
        fail("give the password on standard input, or use --link for a one-time sign-in link instead")
    return line.rstrip("\r\n")

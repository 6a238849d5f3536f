"""`watchkeeper tokens`: API tokens, personal or a team's, with scopes and an expiry; shown once."""

from datetime import timedelta

import click

from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.cli.suppression import database, duration, login_name, refused_is_failure, utc
from watchkeeper.domain.access import Scope
from watchkeeper.services import api_tokens
from watchkeeper.services.api_tokens import DEFAULT_LIFE, NewToken, TokenView
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock

SCOPES = [scope.value for scope in Scope]


@click.group()
def tokens() -> None:
    """API tokens: `Authorization: Bearer wk_...` on every API request."""


@tokens.command("create")
@click.option("--name", required=True, help="What it is for, such as 'terraform' or 'prometheus scrape'.")
@click.option("--email", help="A personal token of this account: it acts as them, within its scopes.")
@click.option("--team", help="A team's token: it acts as a member of the team, within its scopes.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), required=True, help="Repeat for more.")
@click.option("--expires", "life", callback=duration, help="How long it works, such as 90d (the default) or 1y.")
@json_option
def create(
    name: str, email: str | None, team: str | None, scopes: tuple[str, ...], life: timedelta | None, as_json: bool
) -> None:
    """Make a token and print it once; Watchkeeper keeps only its digest."""
    new = NewToken(name=name, scopes=list(scopes), email=email, team=team, life=life or DEFAULT_LIFE)
    actor = cli_actor(login_name() or "the watchkeeper command")
    with database() as db:
        made, secret = refused_is_failure(api_tokens.create, db, SystemClock().now(), new, actor)
    if as_json:
        emit_json({**made.as_json(), "token": secret})
        return
    click.echo(f"Token {made.id} ({_described(made)}), expires {utc(made.expires_at)}.")
    click.echo(f"Token (shown once): {secret}")


@tokens.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """Every token: whose, its scopes, when it expires and was last used; never the token."""
    actor = cli_actor(login_name() or "the watchkeeper command")
    with database() as db:
        found = api_tokens.listing(db, actor.principal)
    if as_json:
        emit_json([view.as_json() for view in found])
        return
    if not found:
        click.echo("no tokens: make one with `watchkeeper tokens create`")
    for view in found:
        state = f"revoked {utc(view.revoked_at)}" if view.revoked_at else f"expires {utc(view.expires_at)}"
        click.echo(f"{view.id}  {view.name}  …{view.hint}  {_described(view)}, {state}, used {utc(view.used_at)}")


@tokens.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID (from `tokens list`): it stops working at once."""
    actor = cli_actor(login_name() or "the watchkeeper command")
    with database() as db:
        view = refused_is_failure(api_tokens.revoke, db, SystemClock().now(), token_id, actor)
    click.echo(f"Token {view.id} ({view.name}) revoked.")


def _described(view: TokenView) -> str:
    whose = f"of {view.account}" if view.account else f"of team {view.team}"
    return f"{whose}, scopes {', '.join(view.scopes)}"

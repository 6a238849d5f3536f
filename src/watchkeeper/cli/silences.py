"""`watchkeeper silences add|list|expire`: silences straight in the database, as the console and API make them."""

from datetime import datetime, timedelta

import click

from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.cli.suppression import database, duration, instant, login_name, refused_is_failure, utc
from watchkeeper.services import silences
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.silences import NewSilence, SilenceView


@click.group("silences")
def silences_group() -> None:
    """Stop alerts whose labels match from being notified, for a while."""


@silences_group.command("add")
@click.option(
    "--matcher",
    "matchers",
    multiple=True,
    required=True,
    help="NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX; repeat for more (all must match).",
)
@click.option("--for", "length", callback=duration, help="How long, such as 2h or 1d.")
@click.option(
    "--until", "ends_at", callback=instant, help="The end instead, such as 2026-12-01T18:00Z (UTC when no offset)."
)
@click.option("--start", "starts_at", callback=instant, help="Start later than now (UTC when no offset).")
@click.option("--author", default=login_name, show_default="your login name", help="Who is adding it.")
@click.option("--comment", required=True, help="Why.")
@json_option
def add(
    matchers: tuple[str, ...],
    length: timedelta | None,
    ends_at: datetime | None,
    starts_at: datetime | None,
    author: str,
    comment: str,
    as_json: bool,
) -> None:
    """Add a silence."""
    new = NewSilence(list(matchers), comment, ends_at=ends_at, duration=length, starts_at=starts_at)
    with database() as db:
        made = refused_is_failure(silences.create_silence, db, SystemClock().now(), new, cli_actor(author))
    _show([made], as_json, one=True)


@silences_group.command("list")
@click.option("--expired", "which", flag_value="expired", help="Those that have ended.")
@click.option("--all", "which", flag_value="all", help="Every silence, newest first.")
@json_option
def list_(which: str | None, as_json: bool) -> None:
    """List silences active now or starting later (or --expired, --all)."""
    with database() as db:
        found = silences.list_silences(db, SystemClock().now(), which or "current")  # type: ignore[arg-type]
    _show(found, as_json)


@silences_group.command("expire")
@click.argument("silence_id", type=click.IntRange(min=1))
@click.option("--author", default=login_name, show_default="your login name", help="Who is expiring it.")
@json_option
def expire(silence_id: int, author: str, as_json: bool) -> None:
    """End a silence now."""
    with database() as db:
        ended = refused_is_failure(silences.expire_silence, db, SystemClock().now(), silence_id, cli_actor(author))
    _show([ended], as_json, one=True)


def _show(found: list[SilenceView], as_json: bool, one: bool = False) -> None:
    if as_json:
        emit_json(found[0].as_json() if one else [s.as_json() for s in found])
        return
    if not found:
        click.echo("no silences")
    for s in found:
        ended = f", expired by {s.expired_by}" if s.expired_by else ""
        click.echo(f"{s.id}  {s.state:<8} {utc(s.starts_at)} to {utc(s.expired_at or s.ends_at)}{ended}")
        click.echo(f"    {' '.join(s.matchers)}")
        click.echo(f"    {s.author}: {s.comment}")

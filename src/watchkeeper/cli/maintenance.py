"""`watchkeeper maintenance add|list|cancel`: one-off maintenance windows at runtime, and the catalog's."""

from datetime import datetime, timedelta

import click

from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.cli.suppression import database, duration, instant, login_name, refused_is_failure, utc
from watchkeeper.services import maintenance
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.maintenance import MaintenanceOverview, NewWindow, RuntimeWindowView


@click.group("maintenance")
def maintenance_group() -> None:
    """Planned work: alerts from what a window covers are recorded, not notified."""


@maintenance_group.command("add")
@click.option("--service", "services", multiple=True, help="A service it covers; repeat for more.")
@click.option("--platform", "platforms", multiple=True, help="A platform it covers (its own checks); repeat for more.")
@click.option("--check", "checks", multiple=True, help="A check it covers; repeat for more.")
@click.option("--start", "starts_at", callback=instant, help="When it starts (UTC when no offset); now if not given.")
@click.option("--end", "ends_at", callback=instant, help="When it ends (UTC when no offset).")
@click.option("--for", "length", callback=duration, help="Or how long, such as 2h.")
@click.option("--name", required=True, help="What the work is.")
@click.option("--author", default=login_name, show_default="your login name", help="Who is adding it.")
@click.option("--announce", is_flag=True, help="Show it on status pages.")
@json_option
def add(
    services: tuple[str, ...],
    platforms: tuple[str, ...],
    checks: tuple[str, ...],
    starts_at: datetime | None,
    ends_at: datetime | None,
    length: timedelta | None,
    name: str,
    author: str,
    announce: bool,
    as_json: bool,
) -> None:
    """Add a one-off maintenance window."""
    new = NewWindow(name, checks, services, platforms, starts_at, ends_at, length, announce)
    with database() as db:
        made = refused_is_failure(maintenance.create_window, db, SystemClock().now(), new, cli_actor(author))
    if as_json:
        emit_json(made.as_json())
    else:
        _runtime([made])


@maintenance_group.command("list")
@json_option
def list_(as_json: bool) -> None:
    """List the catalog's windows with their next occurrence, and runtime windows on now or scheduled."""
    with database() as db:
        seen = maintenance.overview(db, SystemClock().now())
    if as_json:
        emit_json({"catalog": [w.as_json() for w in seen.catalog], "runtime": [w.as_json() for w in seen.runtime]})
        return
    _overview(seen)


@maintenance_group.command("cancel")
@click.argument("window_id", type=click.IntRange(min=1))
@click.option("--author", default=login_name, show_default="your login name", help="Who is cancelling it.")
@json_option
def cancel(window_id: int, author: str, as_json: bool) -> None:
    """End a runtime window now, or cancel it before it starts."""
    with database() as db:
        ended = refused_is_failure(maintenance.cancel_window, db, SystemClock().now(), window_id, cli_actor(author))
    if as_json:
        emit_json(ended.as_json())
    else:
        _runtime([ended])


def _overview(seen: MaintenanceOverview) -> None:
    click.echo("From the catalog:" if seen.catalog else "The catalog declares no maintenance windows.")
    for w in seen.catalog:
        when = w.current or w.upcoming
        state = "on now" if w.current else ("next" if w.upcoming else "over")
        span = f"{utc(when.starts_at)} to {utc(when.ends_at)}" if when else ""
        click.echo(f"  {w.id}  {w.subject_kind} {w.subject_id}  {w.recurrence or 'once'}  {state} {span}".rstrip())
    click.echo("Runtime:" if seen.runtime else "No runtime window is on or scheduled.")
    _runtime(seen.runtime, indent="  ")


def _runtime(windows: list[RuntimeWindowView], indent: str = "") -> None:
    for w in windows:
        covers = "; ".join(f"{kind} {', '.join(ids)}" for kind, ids in w.scope.items() if ids)
        end = w.cancelled_at if w.state == "cancelled" else w.ends_at
        click.echo(f"{indent}{w.id}  {w.state:<9} {utc(w.starts_at)} to {utc(end)}  {w.name} ({covers}), by {w.author}")

"""`watchkeeper oncall override add|list|remove`, `watchkeeper oncall swap` and `watchkeeper oncall cover`:
overrides straight in the database, as the console and the API make them."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click

from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.cli.suppression import database, duration, instant, login_name, utc
from watchkeeper.services import overrides, swaps
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.overrides import NewOverride, OverrideView
from watchkeeper.services.refusals import Conflict, Refused
from watchkeeper.services.swaps import Cover, ShiftAt, Swap

WHEN = "UTC when no offset, such as 2026-12-01T09:30Z"
T = TypeVar("T")


def attempt(action: Callable[..., T], *args: Any) -> T:
    """Runs a use case; a refusal is one line on stderr: exit 2 for input that is wrong (as `oncall now` and
    `shifts` do), exit 1 when the state forbids it (an override that has already ended, a feed already issued)."""
    try:
        return action(*args)
    except Refused as refused:
        fail(refused.message, 1 if isinstance(refused, Conflict) else 2)


@click.group("override")
def override_group() -> None:
    """Someone else on call for a while: for one person of a schedule's rotations, or for the whole schedule."""


@override_group.command("add")
@click.option("--schedule", "schedule_id", required=True, help="The schedule's id.")
@click.option("--person", required=True, help="Who is on call instead: any person of the catalog.")
@click.option("--replaces", help="Whose turns they take (a person of the schedule's rotations); else all turns.")
@click.option("--from", "starts_at", callback=instant, help=f"The start; now when left out ({WHEN}).")
@click.option("--to", "ends_at", callback=instant, help=f"The end ({WHEN}).")
@click.option("--for", "length", callback=duration, help="Or a length instead of --to, such as 8h or 2d.")
@click.option("--author", default=login_name, show_default="your login name", help="Who is adding it.")
@click.option("--reason", required=True, help="Why.")
@json_option
def add(
    schedule_id: str,
    person: str,
    replaces: str | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    length: timedelta | None,
    author: str,
    reason: str,
    as_json: bool,
) -> None:
    """Add an override."""
    new = NewOverride(schedule_id, person, reason, replaces, starts_at, ends_at, length)
    with database() as db:
        made = attempt(overrides.create_override, db, SystemClock().now(), new, cli_actor(author))
    show([made], as_json, one=True)


@override_group.command("list")
@click.option("--schedule", "schedule_id", help="Only this schedule's.")
@click.option("--all", "everything", is_flag=True, help="Ended and removed ones too, newest first.")
@json_option
def list_(schedule_id: str | None, everything: bool, as_json: bool) -> None:
    """List overrides on now or starting later (or --all)."""
    with database() as db:
        found = attempt(
            overrides.list_overrides, db, SystemClock().now(), schedule_id, "all" if everything else "current"
        )
    show(found, as_json)


@override_group.command("remove")
@click.argument("override_id", type=click.IntRange(min=1, max=2**31 - 1))
@click.option("--author", default=login_name, show_default="your login name", help="Who is removing it.")
@json_option
def remove(override_id: int, author: str, as_json: bool) -> None:
    """End an override now (both halves, for a swap); it stays listed under --all."""
    with database() as db:
        ended = attempt(overrides.remove_override, db, SystemClock().now(), override_id, cli_actor(author))
    show(ended, as_json)


@click.command("swap")
@click.option("--schedule", "schedule_id", required=True, help="The schedule's id.")
@click.option("--person", "first", required=True, help="The first person of the swap.")
@click.option("--at", "first_at", required=True, callback=instant, help=f"An instant in their shift ({WHEN}).")
@click.option("--with", "second", required=True, help="The person they swap with.")
@click.option("--with-at", "second_at", required=True, callback=instant, help="An instant in that person's shift.")
@click.option("--author", default=login_name, show_default="your login name", help="Who is making the swap.")
@click.option("--reason", required=True, help="Why.")
@json_option
def swap(
    schedule_id: str,
    first: str,
    first_at: datetime,
    second: str,
    second_at: datetime,
    author: str,
    reason: str,
    as_json: bool,
) -> None:
    """Swap two shifts of a schedule, each named by its person and an instant in it, as `oncall shifts` lists
    them: two overrides, written together."""
    made = Swap(schedule_id, ShiftAt(first, first_at), ShiftAt(second, second_at), reason)
    with database() as db:
        pair = attempt(swaps.swap_shifts, db, SystemClock().now(), made, cli_actor(author))
    show(list(pair), as_json)


@click.command("cover")
@click.option("--schedule", "schedule_id", required=True, help="The schedule's id.")
@click.option("--person", required=True, help="Who covers: any person of the catalog.")
@click.option("--for", "covered", required=True, help="Whose shift they take.")
@click.option("--at", "covered_at", required=True, callback=instant, help=f"An instant in that shift ({WHEN}).")
@click.option("--from", "starts_at", callback=instant, help="Only from here (within the shift); else its start.")
@click.option("--to", "ends_at", callback=instant, help="Only to here (within the shift); else its end.")
@click.option("--author", default=login_name, show_default="your login name", help="Who is arranging it.")
@click.option("--reason", required=True, help="Why.")
@json_option
def cover(
    schedule_id: str,
    person: str,
    covered: str,
    covered_at: datetime,
    starts_at: datetime | None,
    ends_at: datetime | None,
    author: str,
    reason: str,
    as_json: bool,
) -> None:
    """Take all or part of someone's shift, named by its person and an instant in it."""
    made = Cover(schedule_id, person, ShiftAt(covered, covered_at), reason, starts_at, ends_at)
    with database() as db:
        override = attempt(swaps.cover_shift, db, SystemClock().now(), made, cli_actor(author))
    show([override], as_json, one=True)


def show(found: list[OverrideView], as_json: bool, one: bool = False) -> None:
    if as_json:
        emit_json(found[0].as_json() if one else [o.as_json() for o in found])
        return
    if not found:
        click.echo("no overrides")
    for o in found:
        whom = f"for {o.replaces}" if o.replaces else "for the whole schedule"
        ended = f", removed by {o.removed_by}" if o.removed_by else ""
        applied = "" if o.applied else "  (not applied: its schedule or person left the catalog)"
        click.echo(f"{o.id}  {o.state:<9} {o.schedule_id}  {o.person_id} {whom}{applied}")
        click.echo(f"    {utc(o.starts_at)} to {utc(o.removed_at or o.ends_at)}{ended}")
        swapped = f" (swap with {o.swap_with})" if o.swap_with else ""
        click.echo(f"    {o.author}: {o.reason}{swapped}")


def attach(oncall: click.Group) -> None:
    """Adds these commands to `watchkeeper oncall`."""
    for command in (override_group, swap, cover):
        oncall.add_command(command)

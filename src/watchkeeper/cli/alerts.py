"""`watchkeeper alerts list|show|ack|resolve`."""

from typing import Any

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.cli.suppression import login_name
from watchkeeper.services import alert_views
from watchkeeper.services.alert_views import NoSuchAlert
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.refusals import Refused, person_text
from watchkeeper.settings import Settings
from watchkeeper.store.contention import Contended

STATUSES = ("triggered", "acknowledged", "resolved")
ALERT_ID = click.IntRange(1, 2**31 - 1)
"""An alert's id: what the database can hold, so a mistyped one is a usage error, not a traceback."""


@click.group()
def alerts() -> None:
    """See and act on alerts."""


@alerts.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Default: the open ones.")
@click.option("--team", help="Only this team's alerts.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@json_option
def list_command(statuses: tuple[str, ...], team: str | None, limit: int, as_json: bool) -> None:
    """The newest alerts first."""
    with migrated_database(Settings()) as (database, _revision):
        found = alert_views.list_alerts(database, statuses or alert_views.OPEN, team, limit)
    if as_json:
        emit_json([_brief(row) for row in found])
        return
    if not found:
        click.echo("no alerts")
    for row in found:
        click.echo(
            f"{row['id']:>6}  {row['status']:<12} {row['severity']:<6} {row['team_id']:<20} "
            f"{row['created_at']:%Y-%m-%d %H:%M}  {row['summary'][:80]}"
        )


@alerts.command()
@click.argument("alert_id", type=ALERT_ID)
@json_option
def show(alert_id: int, as_json: bool) -> None:
    """One alert: what it is, everything that happened to it, and every delivery."""
    with migrated_database(Settings()) as (database, _revision):
        try:
            page = alert_views.alert_page(database, alert_id)
        except NoSuchAlert as error:
            fail(str(error))
    if as_json:
        emit_json({"alert": _brief(page.alert), "events": page.events, "deliveries": page.deliveries})
        return
    a = page.alert
    click.echo(f"alert {a['id']}: {a['summary']}")
    click.echo(f"  status {a['status']}, severity {a['severity']}, team {a['team_id']}, {a['occurrences']} occurrences")
    click.echo(f"  key {a['dedup_key']}, from {a['source']}")
    click.echo("timeline:")
    for event in page.events:
        actor = f" ({event['actor']})" if event["actor"] else ""
        click.echo(f"  {event['at']:%Y-%m-%d %H:%M:%S}  {event['kind']:<12}{actor} {event['message']}")
    click.echo("deliveries:" if page.deliveries else "deliveries: none yet")
    for d in page.deliveries:
        code = f" HTTP {d['status_code']}" if d["status_code"] else ""
        click.echo(
            f"  {d['at']:%Y-%m-%d %H:%M:%S}  {d['channel_id']} attempt {d['attempt']}: {d['outcome']}{code} "
            f"in {d['latency_ms']:.0f} ms: {d['detail']}"
        )


def _act(alert_id: int, action: str, by: str | None, as_json: bool) -> None:
    try:
        name = person_text(by if by is not None else (login_name() or "the watchkeeper command"), "--by", 200)
    except Refused as refused:
        fail(refused.message)
    actor = cli_actor(name)
    with migrated_database(Settings()) as (database, _revision):
        try:
            received = alert_views.act(database, alert_id, action, actor, SystemClock().now())
        except (NoSuchAlert, Contended) as error:
            fail(str(error))
    outcome = received.applied.outcome
    if as_json:
        emit_json({"alert": alert_id, "outcome": outcome, "note": received.applied.note})
    elif outcome == "ignored":
        click.echo(f"alert {alert_id}: nothing to do ({received.applied.note})")
    else:
        click.echo(f"alert {alert_id} {outcome} by {name}")


@alerts.command()
@click.argument("alert_id", type=ALERT_ID)
@click.option("--by", help="Who acknowledges; default: your login name.")
@json_option
def ack(alert_id: int, by: str | None, as_json: bool) -> None:
    """Acknowledge an open alert: its owners are told someone is on it."""
    _act(alert_id, "acknowledge", by, as_json)


@alerts.command()
@click.argument("alert_id", type=ALERT_ID)
@click.option("--by", help="Who resolves; default: your login name.")
@json_option
def resolve(alert_id: int, by: str | None, as_json: bool) -> None:
    """Resolve an open alert by hand. A check still DOWN raises no new alert until it has been UP again."""
    _act(alert_id, "resolve", by, as_json)


def _brief(row: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "dedup_key",
        "status",
        "severity",
        "summary",
        "source",
        "team_id",
        "service_id",
        "platform_id",
        "subject_kind",
        "subject_id",
        "occurrences",
        "created_at",
        "updated_at",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
        "suppressed_by",
        "cause_alert_id",
        "labels",
        "links",
    )
    return {key: row[key] for key in keys}

"""`watchkeeper integrations list` and `watchkeeper integrations rotate`: the inbound integrations of the catalog
in force and their keys."""

import getpass
from typing import Any

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.integration_keys import (
    KEY_PLACES,
    UnknownIntegration,
    endpoint_url,
    list_integrations,
    rotate,
)
from watchkeeper.settings import Settings
from watchkeeper.store.integration_keys import IntegrationRow


@click.group()
def integrations() -> None:
    """The inbound integrations of the catalog (Alertmanager, PagerDuty Events v2, Sentry, generic JSON) and
    their keys."""


@integrations.command("list")
@json_option
def list_command(as_json: bool) -> None:
    """Every integration in the catalog in force: team, type, endpoint, and whether a key is issued (with the
    key's last four characters, when and by whom). Keys themselves are never shown again after `rotate`."""
    settings = Settings()
    with migrated_database(settings) as (database, _revision):
        rows = list_integrations(database)
    listed = [_listed(row, settings.base_url()) for row in rows]
    if as_json:
        emit_json(listed)
        return
    if not listed:
        click.echo("no integrations: declare them under a team's `integrations:` in the catalog, then apply it")
        return
    for item in listed:
        key = "no key"
        if item["key_issued"]:
            by = f" by {item['issued_by']}" if item["issued_by"] else ""
            key = f"key …{item['hint']} issued {item['issued_at']:%Y-%m-%d %H:%M} UTC{by}"
        click.echo(f"{item['id']}  ({item['type']}, team {item['team']})  {key}")
        click.echo(f"    {item['endpoint']}  (key {KEY_PLACES[item['type']]})")


@integrations.command("rotate")
@click.option("--id", "integration_id", required=True, help="The integration's id in the catalog.")
@json_option
def rotate_command(integration_id: str, as_json: bool) -> None:
    """Issue a new key for integration ID and print it once, with its endpoint; the old key stops working at once.

    Store the key where the sending tool keeps secrets: Watchkeeper keeps only its digest.
    """
    settings = Settings()
    with migrated_database(settings) as (database, _revision):
        try:
            issued = rotate(
                database, integration_id, SystemClock().now(), cli_actor(_who() or "the watchkeeper command")
            )
        except UnknownIntegration as unknown:
            fail(str(unknown))
    row, key = issued.integration, issued.key
    url = endpoint_url(settings.base_url(), row.type, key)
    if as_json:
        now_issued = {
            "key_issued": True,
            "hint": key[-4:],
            "issued_at": issued.issued_at,
            "issued_by": issued.issued_by,
        }
        emit_json({**_listed(row, settings.base_url()), **now_issued, "key": key, "url": url})
        return
    click.echo(f"New key for {row.id} ({row.type}, team {row.team_id}); the previous key no longer works.")
    click.echo(f"Key (shown once): {key}")
    click.echo(_how_to_send(row.type, url, key, settings.base_url()))


def _listed(row: IntegrationRow, base_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "team": row.team_id,
        "type": row.type,
        "name": row.name,
        "endpoint": endpoint_url(base_url, row.type),
        "key_issued": row.hint is not None,
        "hint": row.hint,
        "issued_at": row.issued_at,
        "issued_by": row.issued_by,
    }


def _how_to_send(integration_type: str, url: str, key: str, base_url: str) -> str:
    if integration_type == "alertmanager":
        return f"Alertmanager webhook_configs url: {url}"
    if integration_type == "sentry":
        return f"Sentry internal integration webhook URL: {url}"
    if integration_type == "pagerduty_events_v2":
        return f"Events API v2 URL: {url}\nrouting_key: {key}"
    return f"POST {url}\nAuthorization: Bearer {key}"


def _who() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid, as in some containers
        return None

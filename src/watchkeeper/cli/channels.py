"""`watchkeeper channels test`: send a test message to one channel of the catalog and say how it went."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from watchkeeper.catalog import CatalogInvalid, load_catalog
from watchkeeper.catalog.problems import closest
from watchkeeper.cli.output import emit_json, fail, json_option
from watchkeeper.settings import Settings


@click.group()
def channels() -> None:
    """Notification channels."""


@channels.command("test")
@click.option("--catalog", "catalog_path", type=click.Path(path_type=Path), required=True, help="The catalog.")
@click.option("--id", "channel_id", required=True, help="The id of the channel in the catalog.")
@click.option(
    "--severity",
    type=click.Choice(["page", "ticket", "info"]),
    default="ticket",
    show_default=True,
    help="Of the test alert: Zendesk opens tickets only for ticket, PagerDuty maps page to critical.",
)
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True, help="Seconds.")
@json_option
def channel_trial(catalog_path: Path, channel_id: str, severity: str, timeout: float, as_json: bool) -> None:
    """Render and send a test message to one channel, and print the outcome.

    Secrets come from the environment, as for the server. Exits 0 when the channel took the message, 1 when it
    did not (the outcome says whether trying again could help).
    """
    from watchkeeper.services.channel_trial import send_trial, trial_message

    team_id, config = _channel(catalog_path, channel_id)
    if config.type == "inbox":
        fail(f"{channel_id} is an inbox channel: its messages are kept by a running server and shown in the console")
    settings = Settings()
    message = trial_message(team_id, channel_id, severity, datetime.now(UTC))  # type: ignore[arg-type]
    smtp_url = settings.smtp_url.get_secret_value() if settings.smtp_url else None
    _, outcome = asyncio.run(
        send_trial(config, message, smtp_url=smtp_url, email_from=settings.email_from, timeout=timeout)
    )
    if as_json:
        emit_json(
            {
                "channel": channel_id,
                "type": config.type,
                "outcome": outcome.kind,
                "detail": outcome.detail,
                "status_code": outcome.status_code,
                "retry_after": outcome.retry_after,
            }
        )
    else:
        code = f" (HTTP {outcome.status_code})" if outcome.status_code and "HTTP" not in outcome.detail else ""
        click.echo(f"{channel_id} ({config.type}): {outcome.kind}{code}: {outcome.detail}")
    raise SystemExit(0 if outcome.kind == "sent" else 1)


def _channel(catalog_path: Path, channel_id: str) -> tuple[str, Any]:
    try:
        catalog = load_catalog(catalog_path, check_secrets=False)
    except CatalogInvalid as invalid:
        fail(invalid.report())
    found = {channel.id: (team.id, channel) for team in catalog.teams for channel in team.channels}
    if channel_id not in found:
        hint = closest(channel_id, found)
        fail(f"no channel {channel_id!r} in {catalog_path}" + (f" ({hint})" if hint else ""))
    return found[channel_id]

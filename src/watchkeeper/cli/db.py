"""`watchkeeper db upgrade` and `watchkeeper db housekeeping`."""

from typing import Any

import click

from watchkeeper.cli.database import migrated_database
from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.housekeeping import HousekeepingReport, RetentionPolicy, housekeep
from watchkeeper.settings import Settings


@click.group()
def db() -> None:
    """Manage the database schema and the results it keeps."""


@db.command()
@json_option
def upgrade(as_json: bool) -> None:
    """Apply every pending migration to WATCHKEEPER_DATABASE_URL (the server also does this on start)."""
    with migrated_database(Settings()) as (database, revision):
        if as_json:
            emit_json({"database": database.safe_url, "revision": revision})
        else:
            click.echo(f"{database.safe_url} is at revision {revision}")


@db.command()
@json_option
def housekeeping(as_json: bool) -> None:
    """Roll results up and apply retention now, until caught up (the engine does this every minute).

    Run it after lowering WATCHKEEPER_RESULT_RETENTION or WATCHKEEPER_ROLLUP_RETENTION to free the space at once.
    """
    settings = Settings()
    policy = RetentionPolicy(settings.result_retention, settings.rollup_retention)
    with migrated_database(settings) as (database, _revision):
        report = housekeep(database, SystemClock().now(), policy, budget=None)
    summary = _summary(report)
    if as_json:
        emit_json(summary)
        return
    written, deleted = summary["rollups_written"], summary["deleted"]
    click.echo(
        f"rolled up {written['minute']} minutes, {written['hour']} hours and {written['day']} days; "
        f"deleted {deleted['results']} results and {deleted['rollups']} rollups"
    )
    for action, days in (("made", summary["partitions_made"]), ("dropped", summary["partitions_dropped"])):
        if days:
            click.echo(f"partitions {action}: {', '.join(days)}")
    if report.put_off:
        click.echo(f"old partitions left for the next pass: {report.put_off}")


def _summary(report: HousekeepingReport) -> dict[str, Any]:
    return {
        "rollups_written": report.rollups.written,
        "late_checks": report.rollups.late,
        "rolled_up_until": {
            resolution: f"{until:%Y-%m-%dT%H:%MZ}" for resolution, until in report.rollups.done_until.items()
        },
        "deleted": {
            "results": report.results_deleted,
            "rollups": report.rollups_deleted,
            "pings": report.pings_deleted,
        },
        "partitions_made": [f"{day}" for day in report.partitions_made],
        "partitions_dropped": [f"{day}" for day in report.partitions_dropped],
        "partitions_put_off": report.put_off,
    }

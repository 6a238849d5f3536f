"""`watchkeeper`: validate, apply and import catalogs, run a check, print ping URLs, migrate the database, serve,
and run the demo."""

import click
from pydantic import ValidationError

from watchkeeper import __version__
from watchkeeper.cli.alerts import alerts
from watchkeeper.cli.calendar_feeds import feed
from watchkeeper.cli.catalog import catalog, validate
from watchkeeper.cli.channels import channels
from watchkeeper.cli.check import check
from watchkeeper.cli.db import db
from watchkeeper.cli.heartbeat import heartbeat
from watchkeeper.cli.imports import import_group
from watchkeeper.cli.integrations import integrations
from watchkeeper.cli.maintenance import maintenance_group
from watchkeeper.cli.oncall import oncall
from watchkeeper.cli.overrides import attach as attach_overrides
from watchkeeper.cli.reports import reports
from watchkeeper.cli.serve import demo, serve
from watchkeeper.cli.silences import silences_group
from watchkeeper.cli.tokens import tokens
from watchkeeper.cli.users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="watchkeeper")
def cli() -> None:
    """Watchkeeper: monitoring, alerting, on-call and status pages for a platform team and its service teams.

    Settings come from WATCHKEEPER_* environment variables; see the README's configuration reference.
    """


attach_overrides(oncall)  # overrides, swaps and covers join `watchkeeper oncall`
oncall.add_command(feed)

for command in (
    validate,
    catalog,
    check,
    channels,
    heartbeat,
    db,
    import_group,
    integrations,
    alerts,
    silences_group,
    maintenance_group,
    oncall,
    reports,
    users,
    tokens,
    serve,
    demo,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli(auto_envvar_prefix=None)
    except ValidationError as error:  # settings from the environment that do not parse
        lines = [
            f"WATCHKEEPER_{'_'.join(map(str, e['loc'])).upper()}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        ]
        click.echo("Bad setting:\n  " + "\n  ".join(lines), err=True)
        raise SystemExit(2) from None

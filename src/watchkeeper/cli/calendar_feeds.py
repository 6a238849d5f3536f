"""`watchkeeper oncall feed`: the secret iCalendar URL of a schedule's or a person's shifts, shown once."""

import click

from watchkeeper.cli.output import emit_json, json_option
from watchkeeper.cli.overrides import attempt
from watchkeeper.cli.suppression import database, login_name
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.calendar_feeds import feed_url, issue_feed
from watchkeeper.services.clock import SystemClock
from watchkeeper.settings import Settings
from watchkeeper.store.calendar_feeds import SubjectKind


@click.command("feed")
@click.option("--schedule", "schedule_id", help="A schedule's shifts, whoever is on call.")
@click.option("--person", "person_id", help="One person's shifts, on every schedule.")
@click.option("--rotate", is_flag=True, help="Issue a new URL in place of the one issued before, which stops working.")
@json_option
def feed(schedule_id: str | None, person_id: str | None, rotate: bool, as_json: bool) -> None:
    """Print the secret calendar (iCalendar) URL of a schedule's or a person's on-call shifts, to subscribe to in
    a calendar app. It is shown once: Watchkeeper keeps only a digest of it, so a second call needs --rotate.

    The URL is built on WATCHKEEPER_PUBLIC_URL. Anyone who has it can read the shifts: keep it private.
    """
    if (schedule_id is None) == (person_id is None):
        raise click.UsageError("give either --schedule or --person")
    kind: SubjectKind = "schedule" if schedule_id is not None else "person"
    subject_id = schedule_id or person_id or ""
    settings = Settings()
    with database() as db:
        # A subject that has a URL already is refused (exit 1) unless --rotate: its URL cannot be shown again.
        actor = cli_actor(login_name() or "the watchkeeper command")
        issued = attempt(issue_feed, db, kind, subject_id, SystemClock().now(), actor, rotate)
    url = feed_url(settings.base_url(), issued.token)
    if settings.public_url is None:
        click.echo(
            f"(WATCHKEEPER_PUBLIC_URL is not set, so this uses the address the server listens on, "
            f"{settings.base_url()}; set it to the address calendar apps reach the server at.)",
            err=True,
        )
    if as_json:
        replaced = issued.subject.feed
        emit_json(
            {
                kind: issued.subject.id,
                "name": issued.subject.name,
                "url": url,
                "hint": issued.token[-4:],
                "issued_at": issued.issued_at.isoformat(),
                "issued_by": issued.issued_by,
                "replaced": None if replaced is None else replaced.hint,
            }
        )
        return
    was = " The previous URL no longer works." if issued.subject.feed is not None else ""
    click.echo(f"Calendar of {issued.subject.name} ({kind} {issued.subject.id}), shown once:{was}")
    click.echo(url)

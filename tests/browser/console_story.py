"""A database in which every console page has something to show, for the accessibility scan: the example
catalog with a day of check history, alerts triggered, acknowledged and resolved that paged people through the
engine's own passes (so the on-call report has figures and page links exist in each of their states), an
inbox, deliveries, silences, maintenance windows, an override, an integration key and a calendar link."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update

from history_rows import HistoryRows, seed_story
from signed_in import PASSWORD, admin_with_password
from watchkeeper.domain.access import Principal
from watchkeeper.domain.alerts import Link, Signal, Subject
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services import alert_views, calendar_feeds, integration_keys, maintenance, overrides, silences
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.alerts import receive
from watchkeeper.services.audit import Actor, cli_actor
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.page_links import PageLinks
from watchkeeper.services.sign_in import issue_link
from watchkeeper.store import Database
from watchkeeper.store import tables as t

SECRET_KEY = "accessibility-scan-key-0123456789abcdef"
VIEWER = "viewer@example.org"
MEMBER = "fatima.hussain@example.gov.uk"
"""A member of pay through the catalog, with shifts of her own."""
LOCKED = "locked-out@example.org"
"""Who fails to sign in until locked out: nobody else's attempts are counted against it."""


@dataclass(frozen=True)
class Story:
    """What the scan's examples need to name: alert ids and page-link tokens in each state."""

    triggered: int
    acknowledged: int
    resolved: int
    ticket: int
    """Triggered, and paged nobody: for the test that acknowledges it with JavaScript off."""
    links: dict[str, str]
    """Page-link tokens by state: open, used, expired, over, and two more open ones for the browser to act on."""
    sign_in_link: str
    """A one-time sign-in link's secret, unused."""


def seed_console(db: Database, catalog: Path, environ: dict[str, str], now: datetime) -> Story:
    earlier = FixedClock(now - timedelta(minutes=40))
    applied = apply_catalog_from(db, catalog, clock=earlier, trigger="cli", environ=environ)
    assert applied.outcome == "applied", applied.problems
    alerts = _page_people(db, earlier, now)
    seed_story(HistoryRows(db), now)  # after paging: its platform outage would have held back the services' pages
    story = Story(
        triggered=alerts["paas-api"],
        acknowledged=alerts["pay-api-health"],
        resolved=alerts["notify-api-status"],
        ticket=alerts["notify-smtp"],
        links=_links_in_each_state(db, now),
        sign_in_link=_accounts(db, now),
    )
    _deliveries_and_inbox(db, now, story)
    _suppression(db, now)
    _overrides_and_feeds(db, now)
    return story


def check_alert(check: str, summary: str, severity: str = "page") -> Signal:
    """A check's alert as the engine raises it, with a runbook link."""
    return Signal(
        action="trigger",
        dedup_key=f"check:{check}",
        source="check",
        subject=Subject("check", check),
        severity=severity,
        summary=summary,
        labels={"tier": "web"},
        links=(Link(href="https://docs.example.org/runbooks/" + check, text="Runbook"),),
    )


def _page_people(db: Database, clock: FixedClock, now: datetime) -> dict[str, int]:
    """Alerts on page checks and a ticket, through grouping, escalation and paging as the engine runs them, then
    each handled differently: left open, acknowledged, resolved. The platform's alert comes last, as an alert
    on a platform holds back the pages of the services on it."""
    engine = Alerting(db, clock, Outbox(reach=Reach(email=True, link_life=timedelta(hours=2))))
    ids: dict[str, int] = {}
    for signals in (
        [
            check_alert("pay-api-health", "pay-api-health is DOWN: $.database.healthy is false"),
            check_alert("notify-api-status", "notify-api-status is DOWN: timed out after 10s"),
            check_alert("pay-frontend-home", "pay-frontend-home is DOWN: HTTP 502 Bad Gateway"),
            check_alert("notify-smtp", "notify-smtp is DOWN: connection refused", "ticket"),
        ],
        [check_alert("paas-api", "paas-api is DOWN: HTTP 503 Service Unavailable")],
    ):
        for signal, received in zip(signals, receive(db, signals, clock.now()), strict=True):
            assert received.alert_id is not None
            ids[signal.subject.id] = received.alert_id
        for _ in range(3):  # group waits, then the first levels
            engine.run_pass()
            clock.advance(timedelta(minutes=1))
    alert_views.act(db, ids["pay-api-health"], "acknowledge", as_console("Fatima Hussain"), clock.now())
    clock.advance(timedelta(minutes=9))
    alert_views.act(db, ids["notify-api-status"], "resolve", as_console("Ines Costa"), clock.now())
    clock.advance(now - clock.now())
    engine.run_pass()
    return ids


def _links_in_each_state(db: Database, now: datetime) -> dict[str, str]:
    """The engine made a link for each person paged. The platform team's page stays open; the pay team's link
    has expired; the notify team's page is over (its alert was resolved). Spare links are made beside them:
    one used already, and two for the browser to act on."""
    links = PageLinks(SECRET_KEY, "http://unused.invalid")
    p, e = t.page_links, t.escalations
    with db.transaction() as connection:
        made = connection.execute(select(p, e.c.team_id).join(e, e.c.id == p.c.escalation_id).order_by(p.c.id))
        by_team = {row["team_id"]: row for row in made.mappings()}
        assert by_team.keys() == {"reliability-engineering", "pay", "notify"}, by_team.keys()

        def spare(team: str) -> int:
            columns = ("escalation_id", "person_id", "created_at", "expires_at")
            made = connection.execute(insert(p).returning(p.c.id), {k: by_team[team][k] for k in columns})
            return int(made.scalar_one())

        used, to_acknowledge = spare("reliability-engineering"), spare("pay")
        to_refuse = spare("reliability-engineering")
        connection.execute(update(p).where(p.c.id == used).values(used_at=now, used_for="acknowledge"))
        connection.execute(update(p).where(p.c.id == by_team["pay"]["id"]).values(expires_at=now))
    return {
        "open": links.token(by_team["reliability-engineering"]["id"]),
        "expired": links.token(by_team["pay"]["id"]),
        "over": links.token(by_team["notify"]["id"]),
        "used": links.token(used),
        "to-acknowledge": links.token(to_acknowledge),
        "to-refuse": links.token(to_refuse),
    }


def _deliveries_and_inbox(db: Database, now: datetime, story: Story) -> None:
    """What delivery would have written (it is not run: the example's channels point at the internet): an
    attempt that failed and one that was sent, and an inbox message carrying the open page's link."""
    n = t.notifications
    with db.transaction() as connection:
        first = connection.execute(
            select(n.c.id).where(n.c.id.in_(select(t.notification_alerts.c.notification_id))).order_by(n.c.id)
        ).scalars()
        for attempt, notification_id in enumerate(list(first)[:2], start=1):
            connection.execute(
                insert(t.deliveries),
                {
                    "notification_id": notification_id,
                    "attempt": 1,
                    "at": now - timedelta(minutes=30),
                    "outcome": "sent" if attempt == 1 else "failed",
                    "status_code": 200 if attempt == 1 else 410,
                    "latency_ms": 142.5,
                    "detail": "delivered" if attempt == 1 else "the webhook is gone (HTTP 410): not retried",
                    "worker": "engine-1",
                },
            )
        link_id = int(story.links["open"].split("-")[0])
        connection.execute(
            insert(t.inbox_messages),
            {
                "channel_id": "person:asha/inbox",
                "team_id": "reliability-engineering",
                "notification_key": "a" * 32,
                "at": now - timedelta(minutes=38),
                "subject": "Paged: paas-api is DOWN",
                "body": "paas-api is DOWN: HTTP 503 Service Unavailable\nRunbook: https://docs.example.org/runbooks/paas-api",
                "page_link_id": link_id,
            },
        )


def _suppression(db: Database, now: datetime) -> None:
    """A silence on now, one to come and one ended early; maintenance on now, scheduled and cancelled."""
    hour = timedelta(hours=1)
    made = silences.NewSilence
    silences.create_silence(
        db, now, made(["service=pay-api"], "Deploying the API", None, hour), cli_actor("Asha Patel")
    )
    notify = made(["team=notify", "severity=~page|ticket"], "Supplier change", None, hour, now + hour)
    silences.create_silence(db, now, notify, cli_actor("Ines Costa"))
    ended = silences.create_silence(
        db, now - 3 * hour, made(["check=notify-smtp"], "Noisy", None, hour), cli_actor("Jonah Reid")
    )
    silences.expire_silence(db, now - 2.5 * hour, ended.id, cli_actor("Jonah Reid"))
    window = maintenance.NewWindow
    chen = cli_actor("Chen Wei")
    maintenance.create_window(
        db, now, window("Database upgrade", services=["pay-api"], duration=hour), cli_actor("Ben Okafor")
    )
    maintenance.create_window(
        db, now, window("Router swap", platforms=["paas"], starts_at=now + 24 * hour, duration=2 * hour), chen
    )
    gone = maintenance.create_window(db, now, window("Old job", checks=["notify-smtp"], duration=hour), chen)
    maintenance.cancel_window(db, now, gone.id, chen)


def _overrides_and_feeds(db: Database, now: datetime) -> None:
    cover = overrides.NewOverride(
        "re-primary",
        "ellis",
        "Covering a hospital appointment",
        starts_at=now + timedelta(days=1),
        duration=timedelta(hours=6),
    )
    overrides.create_override(db, now, cover, cli_actor("Asha Patel"))
    integration_keys.rotate(db, "pay-alertmanager", now - timedelta(days=2), cli_actor("Fatima Hussain"))
    calendar_feeds.issue_feed(db, "schedule", "re-primary", now - timedelta(days=1), cli_actor("Asha Patel"))


def _accounts(db: Database, now: datetime) -> str:
    """A platform admin, a viewer and a team member who sign in with a password, an account to lock out, and
    one with a sign-in link; returns the link's secret."""
    admin_with_password(db)
    for email, role in ((VIEWER, "viewer"), (LOCKED, "viewer"), ("linked@example.org", "viewer"), (MEMBER, "viewer")):
        create_account(db, now, NewAccount(email, role, password=PASSWORD), cli_actor("tests"))
    return issue_link(db, now, "linked@example.org", timedelta(hours=1), cli_actor("tests"))


def as_console(name: str) -> Actor:
    """Someone acting from the console, as their timeline shows them."""
    return Actor(Principal(name=name, platform_admin=True), "console")

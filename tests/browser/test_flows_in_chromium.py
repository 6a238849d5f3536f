"""The console's main flows as a person goes through them, in Debian's Chromium against a server on loopback:
signing in and out, acknowledging a page from the link in its email, and covering someone's on-call shift.

Each test starts from what the person has in hand (a bookmark, an email, a schedule) and checks what they see,
then what was recorded. Run this module alone with `.venv/bin/pytest tests/browser/test_flows_in_chromium.py`.
"""

import asyncio
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from click.testing import CliRunner
from console_story import check_alert
from loopback import serve
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from test_pages_in_chromium import browser, sign_in_through_the_page  # noqa: F401 - the shared browser fixture

from signed_in import ADMIN, PASSWORD, admin_with_password
from watchkeeper.channels import channel_types
from watchkeeper.cli.main import cli
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services import audit
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.alerts import receive
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.delivery import Deliverer, DeliveryPolicy
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.page_links import PageLinks
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.audit import AuditFilter
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)  # a Thursday afternoon
SECRET_KEY = "browser-flows-key-0123456789abcdef"
PAY_MEMBER = "fatima.hussain@example.gov.uk"
"""Fatima Hussain, of the pay team in the example catalog: a member of it, and of no other."""
NOTIFY_MEMBER = "ines.costa@example.gov.uk"
"""Ines Costa, of the notify team."""


@dataclass(frozen=True)
class Console:
    """The example catalog served on loopback, with the database and the clock behind it."""

    url: str
    db: Database
    clock: FixedClock


@pytest.fixture
def console(sqlite_db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[Console]:
    clock = FixedClock(NOW)
    applied = apply_catalog_from(sqlite_db, example_catalog, clock=clock, trigger="cli", environ=example_secrets)
    assert applied.outcome == "applied", applied.problems
    admin_with_password(sqlite_db)
    for email in (PAY_MEMBER, NOTIFY_MEMBER):  # the catalog makes each a member of their team
        create_account(sqlite_db, NOW, NewAccount(email, "viewer", password=PASSWORD), cli_actor("tests"))
    settings = Settings(database_url=sqlite_db.url, catalog=example_catalog, secret_key=SECRET_KEY)
    context = AppContext(settings, sqlite_db, clock, build_registry(sqlite_db), example_catalog)
    with serve(create_app(context)) as url:
        yield Console(url, sqlite_db, clock)


@pytest.fixture
def device(browser: Browser) -> Iterator[Callable[[], Page]]:  # noqa: F811
    """Opens a page on another device: a browser context with no cookies of its own, closed after the test."""
    opened: list[BrowserContext] = []

    def new_page() -> Page:
        opened.append(browser.new_context(viewport={"width": 1200, "height": 900}))
        return opened[-1].new_page()

    yield new_page
    for context in opened:
        context.close()


@pytest.fixture
def visitor(device: Callable[[], Page]) -> Page:
    """A browser page nobody has signed in on yet."""
    return device()


def _sign_in_form(page: Page, email: str, password: str) -> None:
    form = page.get_by_test_id("sign-in")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in", exact=True).click()


# Signing in and out


def test_a_deep_link_leads_through_sign_in_and_back_to_the_page_asked_for(console: Console, visitor: Page) -> None:
    visitor.goto(console.url + "/alerts?status=all")

    expect(visitor).to_have_url(re.compile(r"/login\?next=/alerts%3Fstatus%3Dall$"))
    expect(visitor.locator("h1")).to_have_text("Sign in to Watchkeeper")
    _sign_in_form(visitor, ADMIN, PASSWORD)

    expect(visitor).to_have_url(console.url + "/alerts?status=all")
    expect(visitor.locator("h1")).to_have_text("Alerts")
    expect(visitor.get_by_test_id("account")).to_contain_text("Signed in as Asha Patel (platform admin")


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_email(console: Console, visitor: Page) -> None:
    visitor.goto(console.url + "/login")

    _sign_in_form(visitor, ADMIN, "not the password at all")

    summary = visitor.get_by_test_id("sign-in-error")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The email or password is wrong")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary, so a screen reader reads it
    expect(visitor).to_have_title(re.compile(r"^Error: Sign in"))
    expect(visitor.get_by_label("Email address")).to_have_value(ADMIN)
    expect(visitor.get_by_label("Password")).to_have_value("")
    summary.get_by_role("link").click()
    expect(visitor.get_by_label("Email address")).to_be_focused()
    expect(visitor.get_by_test_id("account")).to_have_count(0)


def test_five_wrong_passwords_lock_the_email_and_say_for_how_long(console: Console, visitor: Page) -> None:
    visitor.goto(console.url + "/login")
    for attempt in range(1, 6):
        _sign_in_form(visitor, ADMIN, f"wrong guess number {attempt}")
        expect(visitor.get_by_test_id("sign-in-error")).to_contain_text("The email or password is wrong")

    with visitor.expect_response(lambda answer: answer.request.method == "POST") as answered:
        _sign_in_form(visitor, ADMIN, PASSWORD)  # the right password, too late

    assert answered.value.status == 429
    assert answered.value.headers["retry-after"] == "900"
    expect(visitor.get_by_test_id("sign-in-error")).to_contain_text(
        "Too many failed sign-ins for this email: try again in 15 minutes, or ask an admin for a sign-in link"
    )
    expect(visitor.get_by_label("Email address")).to_have_value(ADMIN)
    expect(visitor.get_by_test_id("account")).to_have_count(0)


def test_signing_out_returns_to_sign_in_and_the_back_button_shows_the_console_no_more(
    console: Console, visitor: Page
) -> None:
    sign_in_through_the_page(visitor, console.url)
    visitor.goto(console.url + "/alerts?status=all")
    expect(visitor.locator("h1")).to_have_text("Alerts")

    visitor.get_by_role("button", name="Sign out").click()
    expect(visitor).to_have_url(console.url + "/login")
    expect(visitor.locator("h1")).to_have_text("Sign in to Watchkeeper")

    visitor.go_back()
    expect(visitor.locator("h1")).to_have_text("Sign in to Watchkeeper")
    expect(visitor).to_have_url(re.compile(r"/login\?next=/alerts%3Fstatus%3Dall$"))
    expect(visitor.get_by_test_id("account")).to_have_count(0)
    visitor.goto(console.url + "/alerts")
    expect(visitor).to_have_url(re.compile(r"/login\?next=/alerts$"))


def test_a_one_time_sign_in_link_shows_a_button_and_signs_in_once(
    console: Console, visitor: Page, device: Callable[[], Page]
) -> None:
    printed = CliRunner().invoke(
        cli,
        ["users", "link", "--email", ADMIN],
        env={"WATCHKEEPER_DATABASE_URL": console.db.url, "WATCHKEEPER_PUBLIC_URL": console.url},
    )
    assert printed.exit_code == 0, printed.output
    found = re.search(re.escape(console.url) + r"/login/link/\S+", printed.output)
    assert found is not None, printed.output
    link = found[0]

    visitor.goto(link)
    expect(visitor.locator("h1")).to_have_text("Sign in with a one-time link")
    expect(visitor.get_by_test_id("account")).to_have_count(0)  # opening it (as a mail scanner does) is not using it
    visitor.get_by_test_id("use-link").get_by_role("button", name="Sign in").click()

    expect(visitor).to_have_url(console.url + "/")
    expect(visitor.get_by_test_id("account")).to_contain_text("Signed in as Asha Patel")
    again = device()
    again.goto(link)
    again.get_by_test_id("use-link").get_by_role("button", name="Sign in").click()
    expect(again.get_by_test_id("link-refused")).to_contain_text("It has been used already")
    expect(again.get_by_test_id("account")).to_have_count(0)


# Acknowledging a page from the link in its email


class Letters(MessageHandler):
    """What an SMTP server on loopback was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Message] = []

    def handle_message(self, message: Message) -> None:
        self.received.append(message)

    def text_to(self, address: str) -> str:
        """The plain text of the one message sent to `address`."""
        [letter] = [m for m in self.received if address in m["To"]]
        [text] = [part for part in letter.walk() if part.get_content_type() == "text/plain"]
        payload = text.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(text.get_content_charset() or "utf-8")


@pytest.fixture
def mail() -> Iterator[tuple[Letters, str]]:
    """An SMTP server on a loopback port, and the URL that sends to it."""
    letters = Letters()
    with socket.socket() as probe:  # the controller checks it is up by connecting, so it needs a port named
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(letters, hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    yield letters, f"smtp://127.0.0.1:{port}?starttls=off"
    controller.stop()


def _run_the_engine(console: Console, minutes: int) -> None:
    """The engine's alerting passes, one a minute of the console's clock."""
    engine = Alerting(console.db, console.clock, Outbox(reach=Reach(email=True, link_life=timedelta(hours=2))))
    for _ in range(minutes):
        engine.run_pass()
        console.clock.advance(timedelta(minutes=1))


def _outbox(db: Database) -> list[tuple[str, str]]:
    """(channel, action) of every notification the outbox was asked to send, in order."""
    n = t.notifications
    with db.reading() as connection:
        return [
            (row.channel_id, row.action)
            for row in connection.execute(select(n.c.channel_id, n.c.action).order_by(n.c.id))
        ]


def _page_through_the_engine(console: Console, smtp_url: str) -> int:
    """paas-api goes down: the engine's alerting passes route it, escalate and page whoever is on call, and a
    delivery pass sends their email with its one-click link. Returns the alert's id."""
    [received] = receive(console.db, [check_alert("paas-api", "paas-api is DOWN: HTTP 503")], console.clock.now())
    assert received.alert_id is not None
    _run_the_engine(console, minutes=3)  # the group's wait, then the first level
    policy = DeliveryPolicy(smtp_url=smtp_url, page_links=PageLinks(SECRET_KEY, console.url))
    deliverer = Deliverer(console.db, console.clock, "flows", http=None, policy=policy, types=channel_types())
    sent: list[int] = []
    # Playwright's own event loop is this thread's: delivery runs on a loop of its own, as in the engine.
    worker = threading.Thread(target=lambda: sent.append(asyncio.run(deliverer.run_pass())))
    worker.start()
    worker.join(30)
    assert sent == [2], "the paged person's inbox and email were delivered"
    return received.alert_id


def test_a_page_is_acknowledged_from_the_link_in_its_email_without_signing_in(
    console: Console, mail: tuple[Letters, str], device: Callable[[], Page]
) -> None:
    letters, smtp_url = mail
    alert_id = _page_through_the_engine(console, smtp_url)
    email = letters.text_to("chen.wei@example.gov.uk")  # on call for re-primary this week
    found = re.search(re.escape(console.url) + r"/page/[0-9]+-[0-9a-f]{32}", email)
    assert found is not None, email
    link = found[0]

    phone = device()
    phone.goto(link)
    expect(phone.get_by_test_id("account")).to_have_count(0)
    expect(phone.get_by_text("Paged to chen")).to_be_visible()
    expect(phone.get_by_test_id("paged-alerts")).to_contain_text("paas-api is DOWN: HTTP 503")
    expect(phone.get_by_test_id("resolve")).to_be_visible()
    phone.get_by_test_id("acknowledge").click()

    expect(phone.get_by_test_id("done")).to_contain_text("Acknowledged: escalation has stopped.")
    expect(phone.get_by_test_id("paged-alerts")).to_contain_text("Acknowledged")
    expect(phone.get_by_test_id("acknowledge")).to_have_count(0)
    phone.goto(link)
    expect(phone.get_by_test_id("link-state")).to_contain_text("This link was used at")
    expect(phone.get_by_test_id("link-state")).to_contain_text("to acknowledge")
    expect(phone.get_by_test_id("acknowledge")).to_have_count(0)

    before = len(_outbox(console.db))
    _run_the_engine(console, minutes=20)
    told = _outbox(console.db)[before:]
    assert sorted(told) == [("person:chen/email", "acknowledge"), ("person:chen/inbox", "acknowledge")], (
        "Chen is told it is acknowledged, and nobody is paged again: not the secondary at 15 minutes"
    )

    desk = device()
    sign_in_through_the_page(desk, console.url)
    desk.goto(f"{console.url}/alerts/{alert_id}")
    expect(desk.get_by_test_id("facts")).to_contain_text("by chen (from a page link)")
    expect(desk.get_by_test_id("escalation")).to_contain_text("stopped by an acknowledgement")
    expect(desk.get_by_test_id("timeline")).to_contain_text("by chen (from a page link)")
    desk.goto(console.url + "/inbox")
    expect(desk.get_by_test_id("inbox-message").first.get_by_test_id("page-link")).to_have_attribute("href", link)
    [acted] = audit.events(console.db, AuditFilter(object_kind="alert", object_id=str(alert_id)))
    assert (acted.actor, acted.via, acted.action) == ("Chen Wei", "link", "alert.acknowledge")


# Covering someone's on-call shift


def test_a_team_member_covers_a_shift_sees_the_override_and_removes_it(console: Console, visitor: Page) -> None:
    sign_in_through_the_page(visitor, console.url, PAY_MEMBER, PASSWORD)
    visitor.goto(console.url + "/oncall/schedules/pay-on-call")
    shift = visitor.get_by_test_id("upcoming").locator("tbody tr").first
    expect(shift).to_contain_text("George Lin")  # on call this week

    shift.get_by_role("link", name="Cover this shift").click()
    form = visitor.get_by_test_id("add-override")
    expect(form.get_by_label("Whose turns they take")).to_have_value("george")
    expect(form.get_by_label("From")).not_to_have_value("")
    form.get_by_label("Who is on call instead").select_option("hana")
    form.get_by_label("Why").fill("George is at a wedding")
    form.get_by_role("button", name="Create override").click()

    expect(visitor.get_by_test_id("done")).to_contain_text("created.")
    row = visitor.get_by_test_id("overrides").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Hana Kowalski")
    expect(row).to_contain_text("for George Lin")
    expect(row).to_contain_text("Fatima Hussain")
    expect(row).to_contain_text("George is at a wedding")
    covered = visitor.get_by_test_id("week").locator(".wk-oncall--override")
    expect(covered.first).to_contain_text("Hana Kowalski")
    expect(covered.first).to_contain_text("Override")

    row.get_by_role("button", name="Remove").click()
    expect(visitor.get_by_test_id("done")).to_contain_text("removed.")
    expect(visitor.get_by_test_id("no-overrides")).to_be_visible()
    expect(visitor.get_by_test_id("week").locator(".wk-oncall--override")).to_have_count(0)
    made, removed = audit.events(console.db, AuditFilter(object_kind="override"))
    assert {made.actor, removed.actor} == {"Fatima Hussain"}


def test_another_teams_member_is_refused_the_override_form_with_the_reason(console: Console, visitor: Page) -> None:
    sign_in_through_the_page(visitor, console.url, NOTIFY_MEMBER, PASSWORD)
    visitor.goto(console.url + "/oncall/schedules/pay-on-call")
    form = visitor.get_by_test_id("add-override")
    form.get_by_label("Who is on call instead").select_option("jonah")
    form.get_by_label("To").fill("2026-11-27 09:00")
    form.get_by_label("Why").fill("Helping out")

    with visitor.expect_response(lambda answer: answer.request.method == "POST") as answered:
        form.get_by_role("button", name="Create override").click()

    assert answered.value.status == 403
    expect(visitor.get_by_test_id("error")).to_contain_text("belongs to team pay")
    expect(visitor.get_by_test_id("error")).to_contain_text("only its members or a platform admin may change it")
    expect(visitor.get_by_test_id("no-overrides")).to_be_visible()
    assert audit.events(console.db, AuditFilter(object_kind="override")) == []

"""Every console page, in each state a person can bring it to, passes an axe-core scan with no WCAG 2.2 AA
violation, at 1280 and at 320 pixels wide (WCAG 1.4.10 reflow: nothing wider than the window).

The pages come from the app's route table: every GET route that answers with a page for a person. A route with
no example below fails its test, naming the route, so a new page is never left out. Run this module alone with
`.venv/bin/pytest tests/browser/test_accessibility_in_chromium.py`.
"""

import itertools
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_scan import Finding, reflow, report, scan
from console_story import LOCKED, MEMBER, SECRET_KEY, VIEWER, Story, seed_console
from fastapi.routing import iter_route_contexts
from loopback import serve
from playwright.sync_api import Browser, Page, expect
from prometheus_client import CollectorRegistry
from sqlalchemy import update
from starlette.responses import HTMLResponse
from test_pages_in_chromium import browser, sign_in_through_the_page  # noqa: F401 - the shared browser fixture

from signed_in import ADMIN, PASSWORD
from watchkeeper.services import calendar_feeds
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_catalog_from, record_failure
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)  # a Thursday afternoon
MACHINE_PREFIXES = ("/api/", "/metrics", "/healthz", "/readyz", "/ping/", "/calendar/", "/assets", "/docs/")
"""Answers for programs, not pages: the API and its documents, metrics, probes, heartbeats, calendar feeds."""


def console_routes() -> list[str]:
    """The path of every GET route a person opens in a browser. A route that declares no response class is
    counted as a page, so a new page that forgets to say so is scanned rather than skipped."""
    unopened = f"sqlite:///{tempfile.gettempdir()}/watchkeeper-route-table.db"  # the table needs no database
    context = AppContext(Settings(database_url=unopened), Database(unopened), FixedClock(NOW), CollectorRegistry())
    paths = []
    for route in iter_route_contexts(create_app(context).routes):
        declared = getattr(route, "response_class", None)
        not_a_page = isinstance(declared, type) and not issubclass(declared, HTMLResponse)
        if (
            "GET" in (route.methods or ())
            and not not_a_page
            and not (route.path or "/api/").startswith(MACHINE_PREFIXES)
        ):
            paths.append(route.path)
    return paths


@dataclass
class Scene:
    """What an example can reach: the browser page, the server and its settings, its database and the story
    seeded in it."""

    page: Page
    site: str
    context: AppContext
    story: Story
    environ: dict[str, str]

    @property
    def db(self) -> Database:
        return self.context.db

    @property
    def catalog(self) -> Path:
        assert self.context.catalog_path is not None
        return self.context.catalog_path


@dataclass(frozen=True)
class Example:
    """A page in one state: opened at `path` (with the story's ids filled in) by `who` (an account's email, or
    None for someone not signed in), answering `status`; `then` is what they do there to reach the state
    scanned, and checks that it was reached; `after` puts back what `then` changed for everyone."""

    name: str
    path: str
    status: int = 200
    then: Callable[[Scene], None] | None = None
    after: Callable[[Scene], None] | None = field(default=None, compare=False)
    who: str | None = ADMIN


def _failed_reload(scene: Scene) -> None:
    record_failure(scene.db, str(scene.catalog / "teams" / "pay.yaml"), NOW, "cli", "services: pay-api: owner: unknown")
    scene.page.reload()
    expect(scene.page.locator("#catalog-banner")).to_be_visible()


def _good_reload(scene: Scene) -> None:
    later = FixedClock(NOW + timedelta(seconds=1))
    apply_catalog_from(scene.db, scene.catalog, clock=later, trigger="cli", environ=scene.environ)


def _refused_silence(scene: Scene) -> None:
    form = scene.page.get_by_test_id("add-silence")
    form.get_by_label("Matchers, one a line").fill("service=~(")
    form.get_by_role("button", name="Add silence").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _refused_window(scene: Scene) -> None:
    scene.page.get_by_test_id("add-window").get_by_role("button", name="Add window").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _form_from_another_site(scene: Scene) -> None:
    elsewhere = "http://elsewhere.test/"
    form = (
        f'<!doctype html><html lang="en"><title>Elsewhere</title><form method="post" action="{scene.site}/maintenance">'
        '<input name="name" value="Mischief" aria-label="Name"><button>Win a prize</button></form></html>'
    )
    scene.page.route(elsewhere, lambda route: route.fulfill(content_type="text/html", body=form))
    scene.page.goto(elsewhere)
    scene.page.get_by_role("button", name="Win a prize").click()
    expect(scene.page.get_by_test_id("cross-site")).to_be_visible()


def _key_issued(scene: Scene) -> None:
    scene.page.get_by_test_id("rotate").click()
    expect(scene.page.get_by_test_id("key")).to_be_visible()


def _key_changed(scene: Scene) -> None:
    scene.page.locator('input[name="replacing"]').evaluate("input => input.value = 'stale'")
    scene.page.get_by_test_id("rotate").click()
    expect(scene.page.get_by_test_id("changed")).to_be_visible()


def _acknowledged_from_the_link(scene: Scene) -> None:
    scene.page.get_by_test_id("acknowledge").click()
    expect(scene.page.get_by_test_id("done")).to_be_visible()


def _refused_by_the_link(scene: Scene) -> None:
    link_id = int(scene.story.links["to-refuse"].split("-")[0])
    used = update(t.page_links).where(t.page_links.c.id == link_id).values(used_at=NOW, used_for="resolve")
    with scene.db.transaction() as connection:  # someone else used it while the page was open
        connection.execute(used)
    scene.page.get_by_test_id("resolve").click()
    expect(scene.page.get_by_test_id("refusal")).to_be_visible()


def _refused_override(scene: Scene) -> None:
    scene.page.get_by_test_id("add-override").get_by_role("button", name="Create override").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _asked_to_replace_the_calendar_link(scene: Scene) -> None:
    scene.page.get_by_test_id("calendar-link").get_by_role("button", name="Get a calendar link").click()
    expect(scene.page.get_by_role("heading", level=1)).to_contain_text("Replace the calendar link")


def _calendar_link_replaced_meanwhile(scene: Scene) -> None:
    _asked_to_replace_the_calendar_link(scene)
    calendar_feeds.issue_feed(scene.db, "schedule", "re-primary", NOW, cli_actor("Ben Okafor"), rotate=True)
    scene.page.get_by_test_id("confirm").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _calendar_link_issued(scene: Scene) -> None:
    form = scene.page.get_by_test_id("calendar-link")
    form.get_by_role("button", name="Get a calendar link").click()
    expect(scene.page.get_by_test_id("url")).to_be_visible()


def _in_the_demo(scene: Scene) -> None:
    scene.context.settings = scene.context.settings.model_copy(update={"demo": True})
    scene.page.reload()
    expect(scene.page.locator(".govuk-phase-banner")).to_be_visible()


def _out_of_the_demo(scene: Scene) -> None:
    scene.context.settings = scene.context.settings.model_copy(update={"demo": False})


def _sign_in_as(scene: Scene, email: str, password: str) -> None:
    form = scene.page.get_by_test_id("sign-in")
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in", exact=True).click()


def _wrong_password(scene: Scene) -> None:
    _sign_in_as(scene, "nobody@example.org", "not the password")
    expect(scene.page.get_by_test_id("sign-in-error")).to_be_visible()


def _sign_in_form_expired(scene: Scene) -> None:
    scene.page.context.clear_cookies()  # the form's own token is gone, as an hour later
    _sign_in_as(scene, ADMIN, PASSWORD)
    expect(scene.page.get_by_test_id("sign-in-error")).to_contain_text("expired")


def _locked_out(scene: Scene) -> None:
    for _ in range(8):
        _sign_in_as(scene, LOCKED, "not the password")
        if "Too many" in scene.page.get_by_test_id("sign-in-error").inner_text():
            return
    raise AssertionError("eight wrong passwords did not lock the account")


def _form_sent_after_the_session_ended(scene: Scene) -> None:
    sign_in_through_the_page(scene.page, scene.site)
    scene.page.goto(scene.site + "/silences")
    scene.page.context.clear_cookies()
    form = scene.page.get_by_test_id("add-silence")
    form.get_by_label("Matchers, one a line").fill("service=pay-api")
    form.get_by_role("button", name="Add silence").click()
    expect(scene.page.get_by_test_id("signed-out")).to_be_visible()


def _link_that_does_not_work(scene: Scene) -> None:
    scene.page.get_by_test_id("use-link").get_by_role("button", name="Sign in").click()
    expect(scene.page.get_by_test_id("link-refused")).to_be_visible()


def _silence_refused_to_a_viewer(scene: Scene) -> None:
    form = scene.page.get_by_test_id("add-silence")
    form.get_by_label("Matchers, one a line").fill("service=pay-api")
    form.get_by_label("Why").fill("Deploying")
    form.get_by_role("button", name="Add silence").click()
    expect(scene.page.get_by_test_id("not-allowed")).to_be_visible()


def _form_without_its_csrf_token(scene: Scene) -> None:
    form = scene.page.get_by_test_id("add-window")
    form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    form.get_by_role("button", name="Add window").click()
    expect(scene.page.get_by_test_id("stale-form")).to_be_visible()


def _token_made(scene: Scene) -> None:
    form = scene.page.get_by_test_id("make-token")
    form.get_by_label("What it is for").fill("accessibility scan")
    form.get_by_role("button", name="Make token").click()
    expect(scene.page.get_by_test_id("token")).to_be_visible()


def _token_refused(scene: Scene) -> None:
    scene.page.get_by_test_id("make-token").get_by_role("button", name="Make token").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _password_refused(scene: Scene) -> None:
    form = scene.page.get_by_test_id("password-form")
    form.get_by_label("Your current password").fill("not the password")
    form.get_by_label("New password", exact=True).fill("a new long passphrase")
    form.get_by_label("The new password again").fill("another long passphrase")
    form.get_by_role("button", name="Change password").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


_accounts_made = itertools.count()


def _account_made(scene: Scene) -> None:
    form = scene.page.get_by_test_id("make-account")
    form.get_by_label("Email").fill(f"scan-{next(_accounts_made)}@example.org")
    form.get_by_label("Team").select_option("pay")
    form.get_by_role("button", name="Make account").click()
    expect(scene.page.get_by_test_id("link")).to_be_visible()


def _account_refused(scene: Scene) -> None:
    scene.page.get_by_test_id("make-account").get_by_role("button", name="Make account").click()
    expect(scene.page.get_by_test_id("error")).to_be_visible()


def _team_token_made(scene: Scene) -> None:
    form = scene.page.get_by_test_id("make-team-token")
    form.get_by_label("What it is for").fill("accessibility scan")
    form.get_by_role("button", name="Make team token").click()
    expect(scene.page.get_by_test_id("token")).to_be_visible()


def _an_alert_appears(scene: Scene) -> None:
    """The home page's live region swapped in place, as the script does every 20 seconds."""
    with scene.page.expect_response(lambda response: response.url == scene.site + "/"):
        scene.page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(scene.page.get_by_test_id("as-of")).to_be_visible()


EXAMPLES: dict[str, list[Example]] = {
    "/login": [
        Example("the sign-in page", "/login", who=None),
        Example("a wrong password", "/login", then=_wrong_password, who=None),
        Example("a sign-in form that expired", "/login", then=_sign_in_form_expired, who=None),
        Example("an account locked out", "/login", then=_locked_out, who=None),
        Example("a form sent after the session ended", "/login", then=_form_sent_after_the_session_ended, who=None),
    ],
    "/login/link/{token}": [
        Example("a sign-in link", "/login/link/{sign_in_link}", who=None),
        Example(
            "a sign-in link that does not work", "/login/link/no-such-link", then=_link_that_does_not_work, who=None
        ),
    ],
    "/login/oidc/callback": [
        Example("single sign-on refused (not set up here)", "/login/oidc/callback?code=x&state=y", 404, who=None),
    ],
    "/": [
        Example("the home page of a platform admin", "/"),
        Example("the home page refreshed in place", "/", then=_an_alert_appears),
        Example("the home page of a team member", "/", who=MEMBER),
        Example("the home page of a viewer in no team", "/", who=VIEWER),
        Example("the home page in the demo", "/", then=_in_the_demo, after=_out_of_the_demo),
    ],
    "/catalogue": [
        Example("the catalogue", "/catalogue"),
        Example("the catalogue after a failed reload", "/catalogue", then=_failed_reload, after=_good_reload),
        Example("the catalogue in the demo", "/catalogue", then=_in_the_demo, after=_out_of_the_demo),
        Example("the catalogue to a viewer", "/catalogue", who=VIEWER),
    ],
    "/audit": [
        Example("the audit log", "/audit"),
        Example("the audit log filtered", "/audit?kind=silence"),
        Example("the audit log to a viewer", "/audit", who=VIEWER),
        Example("an audit filter refused", "/audit?from=yesterday", 400),
        Example("no audit entries match", "/audit?kind=nothing"),
    ],
    "/audit/{event_id}": [
        Example("an audit entry", "/audit/1"),
        Example("an unknown audit entry", "/audit/999999", 404),
    ],
    "/account": [
        Example("your account", "/account"),
        Example("a team member's account", "/account", who=MEMBER),
        Example("a token shown once", "/account", then=_token_made, who=VIEWER),
        Example("a token refused", "/account", then=_token_refused, who=VIEWER),
        Example("a new password refused", "/account", then=_password_refused, who=VIEWER),
    ],
    "/admin/accounts": [
        Example("the accounts", "/admin/accounts"),
        Example("an account made, with its link", "/admin/accounts", then=_account_made),
        Example("an account refused", "/admin/accounts", then=_account_refused),
        Example("a team token shown once", "/admin/accounts", then=_team_token_made),
        Example("the accounts refused to a viewer", "/admin/accounts", 403, who=VIEWER),
    ],
    "/services/{service_id}": [
        Example("a service with charts", "/services/pay-frontend"),
        Example("an unknown service", "/services/no-such-service", 404),
    ],
    "/platforms/{platform_id}": [Example("a platform that is down", "/platforms/paas")],
    "/down": [Example("what is down", "/down")],
    "/silences": [
        Example("silences", "/silences"),
        Example("a silence just added", "/silences?done=added-1"),
        Example("a silence refused", "/silences", then=_refused_silence),
        Example("a silence refused to a viewer", "/silences", then=_silence_refused_to_a_viewer, who=VIEWER),
    ],
    "/maintenance": [
        Example("maintenance", "/maintenance"),
        Example("a window just added", "/maintenance?done=added-1"),
        Example("a window refused", "/maintenance", then=_refused_window),
        Example("a form posted from another site", "/maintenance", then=_form_from_another_site),
        Example("a form without its CSRF token", "/maintenance", then=_form_without_its_csrf_token),
    ],
    "/alerts": [
        Example("open alerts", "/alerts"),
        Example("resolved alerts", "/alerts?status=resolved"),
        Example("all alerts", "/alerts?status=all"),
    ],
    "/alerts/{alert_id}": [
        Example("an alert acknowledged", "/alerts/{acknowledged}"),
        Example("an alert resolved", "/alerts/{resolved}"),
        Example("an alert triggered", "/alerts/{triggered}"),
        Example("an unknown alert", "/alerts/999999", 404),
    ],
    "/inbox": [Example("the inbox", "/inbox")],
    "/integrations": [Example("integrations", "/integrations")],
    "/integrations/{integration_id}/key": [
        Example("rotating a key", "/integrations/pay-alertmanager/key"),
        Example("a key that changed meanwhile", "/integrations/pay-alertmanager/key", then=_key_changed),
        Example("issuing a first key", "/integrations/pay-sentry/key"),
        Example("a key shown once", "/integrations/pay-sentry/key", then=_key_issued),
    ],
    "/reports/on-call": [
        Example("the on-call report", "/reports/on-call"),
        Example("one team's on-call report", "/reports/on-call?team=pay&from=2026-11-01&to=2026-11-30"),
        Example("an on-call report refused", "/reports/on-call?from=yesterday", 400),
    ],
    "/page/{token}": [
        Example("a page's link", "/page/{link_open}"),
        Example("a page's link used already", "/page/{link_used}"),
        Example("a page's link expired", "/page/{link_expired}"),
        Example("a page that is over", "/page/{link_over}"),
        Example("a link that does not work", "/page/1-0123456789abcdef0123456789abcdef", 404),
        Example("a page acknowledged from its link", "/page/{link_to_acknowledge}", then=_acknowledged_from_the_link),
        Example("a link refused", "/page/{link_to_refuse}", then=_refused_by_the_link),
    ],
    "/oncall": [Example("who is on call", "/oncall")],
    "/oncall/schedules/{schedule_id}": [
        Example("a schedule with an override", "/oncall/schedules/re-primary"),
        Example("an override just created", "/oncall/schedules/re-primary?done=added-1"),
        Example("a week that is not a date", "/oncall/schedules/re-primary?week=soon", 400),
        Example("an override refused", "/oncall/schedules/re-primary", then=_refused_override),
        Example("replacing a calendar link", "/oncall/schedules/re-primary", then=_asked_to_replace_the_calendar_link),
        Example(
            "a calendar link replaced meanwhile",
            "/oncall/schedules/re-primary",
            then=_calendar_link_replaced_meanwhile,
        ),
        Example("a calendar link shown once", "/oncall/schedules/pay-on-call", then=_calendar_link_issued),
        Example("an unknown schedule", "/oncall/schedules/no-such-schedule", 404),
    ],
}


@dataclass
class Seeded:
    site: str
    context: AppContext
    story: Story
    environ: dict[str, str]


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory, example_catalog: Path, example_secrets: dict[str, str]
) -> Iterator[Seeded]:
    """One server over one seeded database for the whole module: the examples change only what is theirs."""
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('accessibility')}/watchkeeper.db")
    db.upgrade()
    story = seed_console(db, example_catalog, example_secrets, NOW)
    settings = Settings(database_url=db.url, catalog=example_catalog, secret_key=SECRET_KEY)
    context = AppContext(settings, db, FixedClock(NOW), build_registry(db), example_catalog)
    with serve(create_app(context)) as site:
        yield Seeded(site, context, story, example_secrets)
    db.dispose()


def _ids(story: Story) -> dict[str, object]:
    return {
        "triggered": story.triggered,
        "acknowledged": story.acknowledged,
        "resolved": story.resolved,
        **{"link_" + state.replace("-", "_"): token for state, token in story.links.items()},
        "sign_in_link": story.sign_in_link,
    }


def _visit(scene: Scene, example: Example) -> list[Finding]:
    response = scene.page.goto(scene.site + example.path.format(**_ids(scene.story)))
    assert response is not None
    assert response.status == example.status, f"{example.name}: {example.path} answered {response.status}"
    if example.then is not None:
        example.then(scene)
    try:
        return scan(scene.page, f"{example.name} ({scene.page.url.removeprefix(scene.site)})")
    finally:
        if example.after is not None:
            example.after(scene)


def _examples_of(route: str) -> list[Example]:
    examples = EXAMPLES.get(route)
    if not examples:
        pytest.fail(f"the console route {route} has no example: add one to EXAMPLES in {Path(__file__).name}")
    return examples


class People:
    """A browser context for each person the examples name, signed in through the sign-in page when first
    needed; None is someone not signed in."""

    def __init__(self, chromium: Browser, site: str) -> None:
        self.chromium, self.site = chromium, site
        self.pages: dict[str | None, Page] = {}

    def page_of(self, who: str | None) -> Page:
        if who not in self.pages:
            page = self.chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
            if who is not None:
                sign_in_through_the_page(page, self.site, who, PASSWORD)
            self.pages[who] = page
        return self.pages[who]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.mark.parametrize("route", console_routes())
def test_every_console_page_passes_an_accessibility_scan(route: str, request: pytest.FixtureRequest) -> None:
    examples = _examples_of(route)  # before the browser starts: a page with no example fails wherever it runs
    seeded: Seeded = request.getfixturevalue("seeded")
    people = People(request.getfixturevalue("browser"), seeded.site)
    try:
        findings = [
            finding
            for example in examples
            for finding in _visit(
                Scene(people.page_of(example.who), seeded.site, seeded.context, seeded.story, seeded.environ), example
            )
        ]
    finally:
        people.close()
    assert not findings, f"{len(findings)} accessibility problems on {route}:\n" + report(findings)


def test_the_route_table_gives_the_pages_and_leaves_out_what_programs_read() -> None:
    routes = console_routes()

    assert {"/", "/alerts", "/alerts/{alert_id}", "/page/{token}", "/reports/on-call"} <= set(routes)
    assert not {"/reports/on-call.csv", "/api/v1/alerts", "/healthz", "/metrics", "/calendar/{name}"} & set(routes)
    assert not [route for route in routes if route.startswith(("/ping/", "/api/", "/assets", "/docs/"))]


def test_a_page_without_an_example_fails_naming_its_route(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(EXAMPLES, "/alerts/{alert_id}")

    with pytest.raises(pytest.fail.Exception, match=r"the console route /alerts/\{alert_id\} has no example"):
        _examples_of("/alerts/{alert_id}")


def test_every_example_is_of_a_console_route() -> None:
    """An example left behind by a renamed route would scan a 404 and pass: each must name a route."""
    assert set(EXAMPLES) <= set(console_routes()), set(EXAMPLES) - set(console_routes())


def test_an_alert_is_acknowledged_with_javascript_off(seeded: Seeded, browser: Browser) -> None:  # noqa: F811
    """Progressive enhancement: the alerts page and its forms work without any script."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_through_the_page(page, seeded.site)
        page.goto(seeded.site + "/alerts")
        row = page.locator(f"#alert-{seeded.story.ticket}")
        expect(row).to_contain_text("Triggered")
        row.get_by_role("link").first.click()
        page.get_by_role("button", name="Acknowledge").click()

        expect(page.get_by_test_id("facts")).to_contain_text("by Asha Patel (console)")
        assert page.url == f"{seeded.site}/alerts/{seeded.story.ticket}"
        page.goto(seeded.site + "/alerts")
        expect(page.locator(f"#alert-{seeded.story.ticket}")).to_contain_text("Acknowledged")
        page.set_viewport_size({"width": 320, "height": 900})  # the navigation is a plain list without script
        assert not reflow(page, "the alerts page without JavaScript", 320)
    finally:
        context.close()


def test_the_scan_reports_what_it_must_under_a_strict_content_security_policy(browser: Browser) -> None:  # noqa: F811
    """The scan itself can fail: a page with a field without a label, grey on grey text, a skipped heading
    level and a line too wide for a phone is reported on each count, saying where, though the page's policy
    refuses every script not its own (its inline script does not run)."""
    faulty = (
        '<!doctype html><html lang="en"><head><title>Faulty</title></head><body><main><h1>Faulty</h1>'
        "<script>document.title = 'ran';</script>"
        '<h3>Skipped a level</h3><input type="text" name="who"><p style="color:#aaa;background:#bbb">Faint</p>'
        '<p style="white-space:nowrap">' + "Too wide to wrap " * 10 + "</p></main></body></html>"
    )
    policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route(
            "http://faulty.test/",
            lambda route: route.fulfill(
                body=faulty, content_type="text/html", headers={"Content-Security-Policy": policy}
            ),
        )
        page.goto("http://faulty.test/")
        assert page.title() == "Faulty", "the policy is in force"
        findings = scan(page, "a faulty page")
    finally:
        context.close()

    text = report(findings)
    assert "label (critical)" in text
    assert "color-contrast (serious)" in text
    assert "heading-order (moderate)" in text
    assert "at input" in text
    assert "a faulty page at 320 px wide:\n  reflow (WCAG 1.4.10)" in text
    assert {f.width for f in findings} == {1280, 320}

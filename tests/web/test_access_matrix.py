"""The authorisation matrix, generated from the route table: every route, for every role, is answered as its
declared policy says. A route without a declared policy, or without an example request here, fails the suite:
add the route's policy (web/access.py) and an example to EXAMPLES.

Roles: nobody signed in, a viewer, a member of the owning team (pay), an admin of it, a member of another team
(notify), and a platform admin. "Allowed" means the answer is neither 401 nor 403 nor the sign-in page: what
the route then does (200, 404, 409...) is its own tests' business. The refused roles ask first, so that no
allowed request has changed what a refused one asks about.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from signed_in import Person, sign_in
from watchkeeper.domain.access import Policy, Rule
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.clock import SystemClock
from watchkeeper.services.maintenance import NewWindow, create_window
from watchkeeper.services.overrides import NewOverride, create_override
from watchkeeper.services.silences import NewSilence, create_silence
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.access import route_table
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "matrix-tests-secret-key-0123456789-abcdefghij"
FRAMEWORK = {"/assets"}
"""Served by Starlette itself, not by a router of ours: the static files, public by nature."""


@dataclass(frozen=True)
class Example:
    """A request to a route, about something team `owner` owns (None: owned by nobody, or not about one)."""

    path: str
    owner: str | None = "pay"
    json: Any = None
    data: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    anonymous_only: bool = False
    """Asked by a client signed in as nobody, whatever the role: signing out would end the roles' sessions."""


SILENCE = {"matchers": ["team=pay"], "comment": "matrix", "duration": "1h"}
WINDOW = {"name": "matrix", "scope": {"services": ["pay-api"]}, "duration": "1h"}
OVERRIDE = {"person": "george", "starts_at": "2099-01-13T09:00:00Z", "ends_at": "2099-01-13T17:00:00Z", "reason": "r"}
SHIFTS = [{"person": "fatima", "at": "2099-01-13T09:00:00Z"}, {"person": "george", "at": "2099-01-20T09:00:00Z"}]
SWAP = {"shifts": SHIFTS, "reason": "r"}
COVER = {"person": "george", "shift": {"person": "fatima", "at": "2099-01-13T09:00:00Z"}, "reason": "r"}
SERVICE = {"id": "pay-matrix", "name": "Pay matrix", "owner": "pay"}

EXAMPLES: dict[tuple[str, str], Example] = {
    ("GET", "/healthz"): Example("/healthz", None),
    ("GET", "/readyz"): Example("/readyz", None),
    ("GET", "/login"): Example("/login", None),
    ("POST", "/login"): Example("/login", None, data={"email": "x@example.org", "password": "x"}),
    ("GET", "/login/link/{token}"): Example("/login/link/not-a-link", None),
    ("POST", "/login/link/{token}"): Example("/login/link/not-a-link", None),
    ("POST", "/logout"): Example("/logout", None, anonymous_only=True),
    ("POST", "/login/oidc/start"): Example("/login/oidc/start", None, data={"login_token": "x"}),
    ("GET", "/login/oidc/callback"): Example("/login/oidc/callback?code=x&state=y", None),
    ("GET", "/metrics"): Example("/metrics", None),
    ("GET", "/ping/{token}"): Example("/ping/not-a-token", None),
    ("GET", "/ping/{token}/start"): Example("/ping/not-a-token/start", None),
    ("GET", "/ping/{token}/fail"): Example("/ping/not-a-token/fail", None),
    ("GET", "/ping/{token}/{exit_code:int}"): Example("/ping/not-a-token/3", None),
    ("POST", "/ping/{token}"): Example("/ping/not-a-token", None),
    ("POST", "/ping/{token}/start"): Example("/ping/not-a-token/start", None),
    ("POST", "/ping/{token}/fail"): Example("/ping/not-a-token/fail", None),
    ("POST", "/ping/{token}/{exit_code:int}"): Example("/ping/not-a-token/3", None),
    ("GET", "/calendar/{name}"): Example("/calendar/0000.ics", None),
    ("POST", "/api/v1/integrations/alertmanager/{key}"): Example("/api/v1/integrations/alertmanager/x", None, json={}),
    ("POST", "/api/v1/integrations/sentry/{key}"): Example("/api/v1/integrations/sentry/x", None, json={}),
    ("POST", "/api/v1/alerts"): Example("/api/v1/alerts", None, json={}, headers={"Authorization": "Bearer x"}),
    ("POST", "/v2/enqueue"): Example("/v2/enqueue", None, json={}),
    ("GET", "/page/{token}"): Example("/page/not-a-link", None),
    ("POST", "/page/{token}"): Example("/page/not-a-link", None, data={"action": "acknowledge"}),
    ("GET", "/api/v1/catalog"): Example("/api/v1/catalog", None),
    ("POST", "/api/v1/catalog/reload"): Example("/api/v1/catalog/reload", None),
    ("GET", "/api/v1/openapi.json"): Example("/api/v1/openapi.json", None),
    ("GET", "/api/v1/teams"): Example("/api/v1/teams", None),
    ("GET", "/api/v1/teams/{team_id}"): Example("/api/v1/teams/pay"),
    ("GET", "/api/v1/platforms"): Example("/api/v1/platforms", None),
    ("GET", "/api/v1/platforms/{platform_id}"): Example("/api/v1/platforms/paas", "reliability-engineering"),
    ("GET", "/api/v1/services"): Example("/api/v1/services", None),
    ("GET", "/api/v1/services/{service_id}"): Example("/api/v1/services/pay-api"),
    ("GET", "/api/v1/checks"): Example("/api/v1/checks", None),
    ("GET", "/api/v1/checks/{check_id}"): Example("/api/v1/checks/pay-api-health"),
    ("GET", "/api/v1/checks/{check_id}/results"): Example("/api/v1/checks/pay-api-health/results"),
    ("GET", "/api/v1/people"): Example("/api/v1/people", None),
    ("GET", "/api/v1/people/{person_id}"): Example("/api/v1/people/fatima"),
    ("GET", "/api/v1/deliveries"): Example("/api/v1/deliveries", None),
    ("GET", "/api/v1/deliveries/{delivery_id}"): Example("/api/v1/deliveries/1", None),
    ("GET", "/api/v1/maintenance/catalog"): Example("/api/v1/maintenance/catalog", None),
    ("GET", "/api/v1/maintenance/catalog/{window_id}"): Example(
        "/api/v1/maintenance/catalog/paas-weekly-patching", "reliability-engineering"
    ),
    ("GET", "/api/v1/schedules"): Example("/api/v1/schedules", None),
    ("GET", "/api/v1/schedules/{schedule_id}"): Example("/api/v1/schedules/pay-on-call"),
    ("GET", "/api/v1/escalation-policies"): Example("/api/v1/escalation-policies", None),
    ("GET", "/api/v1/escalation-policies/{policy_id}"): Example("/api/v1/escalation-policies/pay-default"),
    ("GET", "/api/v1/overrides"): Example("/api/v1/overrides", None),
    ("GET", "/api/v1/integrations"): Example("/api/v1/integrations", None),
    ("GET", "/api/v1/integrations/{integration_id}"): Example("/api/v1/integrations/pay-sentry"),
    ("POST", "/api/v1/services"): Example("/api/v1/services", json=SERVICE),
    ("PUT", "/api/v1/services/{service_id}"): Example("/api/v1/services/pay-api", json={"name": "x", "owner": "pay"}),
    ("DELETE", "/api/v1/services/{service_id}"): Example("/api/v1/services/pay-matrix"),
    ("GET", "/api/v1/alerts"): Example("/api/v1/alerts", None),
    ("GET", "/api/v1/alerts/{alert_id}"): Example("/api/v1/alerts/1"),
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): Example("/api/v1/alerts/1/acknowledge"),
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): Example("/api/v1/alerts/1/resolve"),
    ("GET", "/api/v1/reports/on-call"): Example("/api/v1/reports/on-call", None),
    ("POST", "/api/v1/silences"): Example("/api/v1/silences", json=SILENCE),
    ("GET", "/api/v1/silences"): Example("/api/v1/silences", None),
    ("GET", "/api/v1/silences/{silence_id}"): Example("/api/v1/silences/1"),
    ("POST", "/api/v1/silences/{silence_id}/expire"): Example("/api/v1/silences/1/expire"),
    ("POST", "/api/v1/maintenance"): Example("/api/v1/maintenance", json=WINDOW),
    ("GET", "/api/v1/maintenance"): Example("/api/v1/maintenance", None),
    ("GET", "/api/v1/maintenance/{window_id}"): Example("/api/v1/maintenance/1"),
    ("POST", "/api/v1/maintenance/{window_id}/cancel"): Example("/api/v1/maintenance/1/cancel"),
    ("GET", "/api/v1/oncall"): Example("/api/v1/oncall", None),
    ("GET", "/api/v1/schedules/{schedule_id}/shifts"): Example("/api/v1/schedules/pay-on-call/shifts"),
    ("GET", "/api/v1/schedules/{schedule_id}/gaps"): Example("/api/v1/schedules/pay-on-call/gaps"),
    ("POST", "/api/v1/schedules/{schedule_id}/overrides"): Example(
        "/api/v1/schedules/pay-on-call/overrides", json=OVERRIDE
    ),
    ("GET", "/api/v1/schedules/{schedule_id}/overrides"): Example("/api/v1/schedules/pay-on-call/overrides"),
    ("POST", "/api/v1/schedules/{schedule_id}/swaps"): Example("/api/v1/schedules/pay-on-call/swaps", json=SWAP),
    ("POST", "/api/v1/schedules/{schedule_id}/covers"): Example("/api/v1/schedules/pay-on-call/covers", json=COVER),
    ("GET", "/api/v1/overrides/{override_id}"): Example("/api/v1/overrides/1"),
    ("DELETE", "/api/v1/overrides/{override_id}"): Example("/api/v1/overrides/1"),
    ("GET", "/"): Example("/", None),
    ("GET", "/services/{service_id}"): Example("/services/pay-api"),
    ("GET", "/platforms/{platform_id}"): Example("/platforms/paas", "reliability-engineering"),
    ("GET", "/down"): Example("/down", None),
    ("GET", "/silences"): Example("/silences", None),
    ("POST", "/silences"): Example("/silences", data={"matchers": "team=pay", "comment": "m", "duration": "1h"}),
    ("POST", "/silences/{silence_id}/expire"): Example("/silences/1/expire", data={}),
    ("GET", "/maintenance"): Example("/maintenance", None),
    ("POST", "/maintenance"): Example(
        "/maintenance", data={"name": "m", "kind": "service", "ids": "pay-api", "duration": "1h"}
    ),
    ("POST", "/maintenance/{window_id}/cancel"): Example("/maintenance/1/cancel", data={}),
    ("GET", "/alerts"): Example("/alerts", None),
    ("GET", "/alerts/{alert_id}"): Example("/alerts/1"),
    ("POST", "/alerts/{alert_id}/{action}"): Example("/alerts/1/acknowledge", data={}),
    ("GET", "/inbox"): Example("/inbox", None),
    ("GET", "/integrations"): Example("/integrations", None),
    ("GET", "/integrations/{integration_id}/key"): Example("/integrations/pay-sentry/key"),
    ("POST", "/integrations/{integration_id}/key"): Example(
        "/integrations/pay-sentry/key", data={"replacing": "none", "confirm": "yes"}
    ),
    ("GET", "/reports/on-call"): Example("/reports/on-call", None),
    ("GET", "/reports/on-call.csv"): Example("/reports/on-call.csv", None),
    ("GET", "/oncall"): Example("/oncall", None),
    ("GET", "/oncall/schedules/{schedule_id}"): Example("/oncall/schedules/pay-on-call"),
    ("POST", "/oncall/schedules/{schedule_id}/overrides"): Example(
        "/oncall/schedules/pay-on-call/overrides",
        data={"person": "george", "from": "2099-01-13 09:00", "to": "2099-01-13 17:00", "reason": "r"},
    ),
    ("POST", "/oncall/schedules/{schedule_id}/overrides/{override_id}/remove"): Example(
        "/oncall/schedules/pay-on-call/overrides/1/remove", data={}
    ),
    ("POST", "/oncall/schedules/{schedule_id}/feed"): Example(
        "/oncall/schedules/pay-on-call/feed", data={"whose": "schedule"}
    ),
    ("GET", "/catalogue"): Example("/catalogue", None),
    ("GET", "/audit"): Example("/audit", None),
    ("GET", "/audit/{event_id}"): Example("/audit/1", None),
    ("GET", "/account"): Example("/account", None),
    ("POST", "/account/tokens"): Example("/account/tokens", None, data={"name": "m", "scopes": "read", "life": "7"}),
    ("POST", "/account/tokens/{token_id}/revoke"): Example("/account/tokens/999999/revoke", None, data={}),
    ("POST", "/account/password"): Example("/account/password", None, data={"new": "one phrase", "again": "other"}),
    ("POST", "/account/sessions/end"): Example("/account/sessions/end", None, data={}),  # unconfirmed: ends none
    ("GET", "/admin/accounts"): Example("/admin/accounts"),
    ("POST", "/admin/accounts"): Example(
        "/admin/accounts", data={"email": "matrix@example.org", "role": "team-member", "team": "pay"}
    ),
    ("POST", "/admin/accounts/{account_id}/disable"): Example("/admin/accounts/999999/disable", data={}),
    ("POST", "/admin/accounts/{account_id}/link"): Example("/admin/accounts/999999/link", data={}),
    ("POST", "/admin/tokens"): Example(
        "/admin/tokens", data={"team": "pay", "name": "m", "scopes": "read", "life": "7"}
    ),
    ("POST", "/admin/tokens/{token_id}/revoke"): Example("/admin/tokens/999999/revoke", data={}),
    ("GET", "/api/v1/audit"): Example("/api/v1/audit", None),
    ("GET", "/api/v1/audit/{event_id}"): Example("/api/v1/audit/1", None),
    ("GET", "/api/v1/account"): Example("/api/v1/account", None),
    ("GET", "/api/v1/accounts"): Example("/api/v1/accounts"),
    ("POST", "/api/v1/accounts"): Example(
        "/api/v1/accounts", json={"email": "matrix-api@example.org", "role": "team-member", "team": "pay"}
    ),
    ("GET", "/api/v1/accounts/{account_id}"): Example("/api/v1/accounts/999999"),
    ("POST", "/api/v1/accounts/{account_id}/disable"): Example("/api/v1/accounts/999999/disable"),
    ("GET", "/api/v1/tokens"): Example("/api/v1/tokens", None),
    ("POST", "/api/v1/tokens"): Example("/api/v1/tokens", None, json={"name": "m", "scopes": ["read"]}),
    ("GET", "/api/v1/tokens/{token_id}"): Example("/api/v1/tokens/999999", None),
    ("POST", "/api/v1/tokens/{token_id}/revoke"): Example("/api/v1/tokens/999999/revoke", None),
    ("POST", "/api/v1/teams/{team}/tokens"): Example(
        "/api/v1/teams/pay/tokens", json={"name": "m", "scopes": ["read"]}
    ),
}

CATALOG_ONLY = {
    "teams": "pay",
    "people": "fatima",
    "platforms": "paas",
    "checks": "pay-api-health",
    "schedules": "pay-on-call",
    "escalation-policies": "pay-default",
    "integrations": "pay-sentry",
    "maintenance/catalog": "paas-weekly-patching",
}
"""Writes to these are refused alike for everyone signed in (a 409 naming the file), so they are nobody's."""
for _kind, _id in CATALOG_ONLY.items():
    EXAMPLES[("POST", f"/api/v1/{_kind}")] = Example(f"/api/v1/{_kind}", None, json={})
    for _method in ("PUT", "PATCH", "DELETE"):
        EXAMPLES[(_method, f"/api/v1/{_kind}/{{object_id}}")] = Example(f"/api/v1/{_kind}/{_id}", None, json={})

ROLES: dict[str, Person | None] = {
    # the refused come first (see the module docstring)
    "anonymous": None,
    "viewer": Person("viewer@example.org", role="viewer"),
    "another team's member": Person("ines.costa@example.gov.uk", role="viewer"),  # notify, by the catalog
    "member": Person("george.lin@example.gov.uk", role="viewer"),  # pay, by the catalog
    "team admin": Person("team.admin@example.org", role="team-admin", team="pay"),
    "platform admin": Person("asha.patel@example.gov.uk", role="viewer"),  # the platform team
}
MEMBERS = {"member": "pay", "team admin": "pay", "another team's member": "notify"}


def _declared() -> list[tuple[str, str, Policy | None]]:
    context = AppContext(Settings(secret_key=KEY), None, SystemClock(), None)  # type: ignore[arg-type]
    table = route_table(create_app(context))
    return [(method, entry.path, entry.policy) for entry in table for method in sorted(entry.methods - {"HEAD"})]


def test_every_route_declares_a_policy_and_has_an_example():
    routes = _declared()
    undeclared = [f"{method} {path}" for method, path, policy in routes if policy is None and path not in FRAMEWORK]
    missing = [f"{method} {path}" for method, path, policy in routes if policy and (method, path) not in EXAMPLES]

    assert not undeclared, f"routes without a declared policy (see web/access.py): {undeclared}"
    assert not missing, f"routes without an example in tests/web/test_access_matrix.py EXAMPLES: {missing}"
    assert len(routes) > 70  # the walk found the included routers' routes


def expected(policy: Policy, role: str, owner: str | None) -> bool:
    """Whether `role` may use a route of `policy` about something `owner` owns."""
    if policy.rule is Rule.PUBLIC:
        return True
    if role == "anonymous":
        return False
    if policy.rule is Rule.READ or role == "platform admin":
        return True
    if policy.rule is Rule.PLATFORM or role == "viewer":
        return False
    if policy.rule is Rule.TEAM_ADMIN and role != "team admin":
        return False
    return owner is not None and MEMBERS.get(role) == owner


def _refused(response: Any) -> bool:
    to_sign_in = response.status_code == 303 and response.headers.get("location", "").startswith("/login?next=")
    return response.status_code in (401, 403) or to_sign_in


def _seed(db: Database) -> None:
    """Alert 1, silence 1, window 1 and override 1, all pay's, for the routes about one of each."""
    now = SystemClock().now()
    platform = cli_actor("matrix")
    signal = Signal("trigger", "pay-matrix", "api", Subject("service", "pay-api"), "ticket", "matrix")
    assert receive(db, [signal], now)[0].alert_id == 1
    assert create_silence(db, now, NewSilence(["team=pay"], "c", duration=timedelta(hours=1)), platform).id == 1
    window = NewWindow("w", services=["pay-api"], duration=timedelta(hours=1))
    assert create_window(db, now, window, platform).id == 1
    ends = now + timedelta(days=400)
    override = NewOverride("pay-on-call", "george", "r", None, ends - timedelta(hours=8), ends)
    assert create_override(db, now, override, platform).id == 1


@pytest.fixture
def clients(loaded) -> Iterator[dict[str, TestClient]]:
    _seed(loaded.db)
    settings = Settings(database_url=loaded.db.url, secret_key=KEY, catalog=loaded.catalog)
    context = AppContext(settings, loaded.db, SystemClock(), build_registry(loaded.db), loaded.catalog, None)
    made = {}
    for role, person in ROLES.items():
        client = TestClient(create_app(context), raise_server_exceptions=False, follow_redirects=False)
        if person is not None:
            sign_in(client, loaded.db, KEY, person)
        made[role] = client
    yield made
    for client in made.values():
        client.close()


def test_every_route_answers_every_role_as_its_policy_says(clients):
    wrong = []
    for method, path, policy in _declared():
        if policy is None or (method, path) not in EXAMPLES:
            continue  # the test above names them
        example = EXAMPLES[(method, path)]
        for role, client in clients.items():
            if example.anonymous_only:
                client = clients["anonymous"]
            response = client.request(
                method, example.path, json=example.json, data=example.data, headers=example.headers
            )
            allowed = not _refused(response)
            if allowed != expected(policy, role, example.owner) or response.status_code >= 500:
                wrong.append(f"{method} {path} as {role}: {response.status_code} ({policy.describe()})")
    assert not wrong, "\n".join(wrong)

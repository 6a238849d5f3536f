"""Sign-in and authorisation on every route: each declares who may use it, and the suite fails for one that does
not (tests/web/test_access_matrix.py).

Declare a route's policy with exactly one of these:

    @router.get("/healthz", dependencies=[PUBLIC])                  # no sign-in (holds its own credential)
    async def page(request: Request, who: Reader) -> ...:            # anyone signed in
    async def act(request: Request, who: Annotated[Principal, allow(Rule.TEAM, Scope.SUPPRESSION)]) -> ...:

A TEAM or TEAM_ADMIN route checks the team of the object it changes, once it has found it, with
`require_team(request, who, team)`: the dependency can only check that the principal is some team's member.

A request is signed in by an API token (`Authorization: Bearer wk_...`) or by the console's session cookie; in
`watchkeeper demo`, a visitor from loopback without a session is signed in as the demo's platform admin. A
session's unsafe requests must carry its CSRF token: the `csrf_token` field of a console form, or the
`X-CSRF-Token` header of an API call made from the console. Token requests need none: a browser never adds one.
"""

import ipaddress
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from watchkeeper.domain.access import Policy, Principal, Rule, Scope
from watchkeeper.services import api_tokens, sessions, sign_in
from watchkeeper.services.sessions import Lifetimes
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

SESSION_COOKIE = "watchkeeper_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInNeeded(Exception):
    """Nobody is signed in (or a token is unknown, revoked or expired): 401 for the API, the sign-in page else."""

    def __init__(self, detail: str = "sign in first: send an API token as `Authorization: Bearer wk_...`") -> None:
        super().__init__(detail)
        self.detail = detail


class NotAllowed(Exception):
    """Signed in, but this is not theirs to do: 403 with the reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class StaleForm(Exception):
    """A session's unsafe request without its CSRF token: a form from another page or an old session."""


class CrossSiteForm(Problem):
    """A form post the browser marks as sent from another site: refused, and nothing changed. Browsers say where
    a post comes from (Sec-Fetch-Site, or Origin on older ones); this is checked as well as the CSRF token."""

    def __init__(self, came_from: str) -> None:
        super().__init__(403, "Forbidden", "a form from another site cannot change this one")
        self.came_from = came_from[:200]  # a header anyone can set: shown escaped, and never at length


def require_same_origin(request: Request) -> None:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise CrossSiteForm(f"Sec-Fetch-Site: {site}")
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CrossSiteForm(f"Origin: {origin}")


def public() -> None:
    """No sign-in: the route holds nothing private, or checks a credential of its own (a ping token, an
    integration key, a signed page link, a calendar feed's token)."""


PUBLIC = Depends(public)


class Checker:
    """The dependency each route declares; `policy` is read by the route-table tests."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    async def __call__(self, request: Request) -> Principal:
        if request.method in UNSAFE and "authorization" not in request.headers:
            require_same_origin(request)  # before sign-in: a forged post says so, not "sign in"
        who = await signed_in(request)
        if who is None:
            raise SignInNeeded()
        request.state.policy = self.policy
        if not who.has(self.policy.scope):
            raise NotAllowed(f"this token lacks the '{self.policy.scope.value}' scope")
        if not who.may(self.policy):
            raise NotAllowed(_refusal(self.policy, who))
        if request.method in UNSAFE and who.via == "session":
            await _check_csrf(request)
        return who


def allow(rule: Rule, scope: Scope = Scope.READ) -> Any:
    return Depends(Checker(Policy(rule, scope)))


Reader = Annotated[Principal, allow(Rule.READ)]
"""Anyone signed in."""
MetricsReader = Annotated[Principal, allow(Rule.READ, Scope.METRICS)]
AlertsWriter = Annotated[Principal, allow(Rule.TEAM, Scope.ALERTS)]
OnCallWriter = Annotated[Principal, allow(Rule.TEAM, Scope.ONCALL)]
SuppressionWriter = Annotated[Principal, allow(Rule.TEAM, Scope.SUPPRESSION)]
CatalogWriter = Annotated[Principal, allow(Rule.TEAM, Scope.CATALOG)]
IntegrationsWriter = Annotated[Principal, allow(Rule.TEAM, Scope.INTEGRATIONS)]
CatalogAdmin = Annotated[Principal, allow(Rule.PLATFORM, Scope.CATALOG)]
AccountsAdmin = Annotated[Principal, allow(Rule.TEAM_ADMIN, Scope.ACCOUNTS)]
PlatformAdmin = Annotated[Principal, allow(Rule.PLATFORM, Scope.ACCOUNTS)]


def require_team(request: Request, who: Principal, team: str | None) -> None:
    """Refuses unless `who` may change what `team` owns under the route's policy (None: something nobody owns,
    which only platform admins change)."""
    policy: Policy = request.state.policy
    if team is None and not who.platform_admin:
        raise NotAllowed("only a platform admin changes what no team owns")
    if team is not None and not who.may(policy, team):
        raise NotAllowed(_refusal(policy, who, team))


def _refusal(policy: Policy, who: Principal, team: str | None = None) -> str:
    if policy.rule is Rule.PLATFORM:
        return "only a platform admin may do this"
    kind = "an admin" if policy.rule is Rule.TEAM_ADMIN else "a member"
    if team is not None:
        return f"this belongs to team {team}: only {kind} of that team or a platform admin may change it"
    return f"only {kind} of the owning team or a platform admin may do this; you are a {who.role.value}"


async def signed_in(request: Request) -> Principal | None:
    """Whom the request acts as, found once per request."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    context: AppContext = request.app.state.context
    now = context.clock.now()
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    who: Principal | None = None
    if scheme.lower() == "bearer":  # other schemes (a proxy's Basic sign-in) leave the session to decide
        if not secret.strip():
            raise SignInNeeded("send an API token as `Authorization: Bearer wk_...`")
        who = await run_in_threadpool(api_tokens.principal_of_token, context.db, now, secret.strip())
        if who is None:
            raise SignInNeeded("the API token is unknown, revoked or expired")
    else:
        who = await _from_session(request, context)
    request.state.principal = who
    return who


async def _from_session(request: Request, context: AppContext) -> Principal | None:
    now = context.clock.now()
    lifetimes = lifetimes_of(context)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        session = await run_in_threadpool(sessions.current, context.db, now, secret, lifetimes)
        if session is not None:
            request.state.session_secret = secret
            return session.principal
    if context.settings.demo and from_loopback(request) and addressed_to_loopback(request):
        visitor = await run_in_threadpool(sign_in.as_demo_visitor, context.db, now)
        secret = await run_in_threadpool(sessions.start, context.db, now, visitor, lifetimes, client_of(request))
        queue_session_cookie(request, secret)
        request.state.session_secret = secret
        return await run_in_threadpool(sign_in.principal, context.db, visitor.account)
    return None


async def _check_csrf(request: Request) -> None:
    context: AppContext = request.app.state.context
    secret: str = request.state.session_secret
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not sessions.csrf_matches(csrf_key(context), secret, given):
        raise StaleForm()


def csrf_key(context: AppContext) -> bytes:
    return context.settings.secret_key_value().encode()


def csrf_token_of(request: Request) -> str | None:
    """The token a page's forms carry, when a session is signed in."""
    secret: str | None = getattr(request.state, "session_secret", None)
    if secret is None:
        return None
    return sessions.csrf_token(csrf_key(request.app.state.context), secret)


def lifetimes_of(context: AppContext) -> Lifetimes:
    return Lifetimes(idle=context.settings.session_idle, life=context.settings.session_life)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def from_loopback(request: Request) -> bool:
    try:
        return ipaddress.ip_address(client_of(request)).is_loopback
    except ValueError:
        return False


def addressed_to_loopback(request: Request) -> bool:
    """Whether the browser asked for this machine by a loopback name. A page of another site can make its own
    name resolve to 127.0.0.1 (DNS rebinding) and then reach the demo from the visitor's browser as a page of
    that site; its requests still name that site in Host, so they get no demo sign-in."""
    host = (request.headers.get("host") or "").lower()
    name = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def queue_session_cookie(request: Request, secret: str | None) -> None:
    """The outermost middleware (web.security) writes it on whatever response the route returns; None clears it."""
    request.state.session_cookie = secret if secret is not None else ""


def policy_of(dependencies: list[Any]) -> Policy | None:
    """The policy among a route's dependencies (for the route-table tests and the OpenAPI document)."""
    for dependency in dependencies:
        call = getattr(dependency, "call", None)
        if isinstance(call, Checker):
            return call.policy
        if call is public:
            return Policy(Rule.PUBLIC)
        found = policy_of(getattr(dependency, "dependencies", []))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class RouteEntry:
    path: str
    methods: frozenset[str]
    policy: Policy | None


def route_table(app: FastAPI) -> list[RouteEntry]:
    """Every route the app serves with its declared policy (None: undeclared). FastAPI keeps included routers
    whole and resolves their routes lazily, so both kinds are walked."""
    entries = []
    for route in app.routes:
        contexts = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") else [route]
        for context in contexts:
            dependant = getattr(context, "dependant", None)
            policy = policy_of(dependant.dependencies) if dependant is not None else None
            methods = frozenset(getattr(context, "methods", None) or ())
            entries.append(RouteEntry(getattr(context, "path", ""), methods, policy))
    return entries

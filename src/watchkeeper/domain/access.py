"""Who may do what: the roles, the scopes of API tokens, each route's declared access, and the decision.

A person's rights come from two places. The catalog says which team each person is in, and members of the
platform team are platform admins. An account may add a role on top (a team admin, or a platform admin from
outside the platform team); it never takes away what the catalog grants, so that removing someone from a team
is one catalog edit (ADR 0038).
"""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PLATFORM_ADMIN = "platform-admin"
    TEAM_ADMIN = "team-admin"
    TEAM_MEMBER = "team-member"
    VIEWER = "viewer"


TEAM_ROLES = (Role.TEAM_ADMIN, Role.TEAM_MEMBER)


class Scope(StrEnum):
    """What an API token may be used for. A session has every scope; a token only those it was given."""

    READ = "read"
    ALERTS = "alerts"  # acknowledge and resolve
    ONCALL = "oncall"  # overrides, swaps, covers, calendar feeds
    SUPPRESSION = "suppression"  # silences and maintenance
    CATALOG = "catalog"  # services and checks made through the API, catalog reloads
    INTEGRATIONS = "integrations"  # integration keys
    ACCOUNTS = "accounts"  # accounts and tokens
    METRICS = "metrics"  # the Prometheus /metrics page, for a scraper


ALL_SCOPES = frozenset(Scope)


class Rule(StrEnum):
    PUBLIC = "public"
    """No sign-in: health, pings, inbound integrations, page links, calendar feeds, status pages, the sign-in page.
    Each of these either holds nothing private or carries its own credential in the request."""
    READ = "read"
    """Anyone signed in."""
    TEAM = "team"
    """A member or admin of the team that owns the object, or a platform admin. The route names the team."""
    TEAM_ADMIN = "team-admin"
    """An admin of the owning team, or a platform admin."""
    PLATFORM = "platform"
    """Platform admins only."""


@dataclass(frozen=True)
class Policy:
    rule: Rule
    scope: Scope = Scope.READ

    def describe(self) -> str:
        return self.rule.value if self.rule is Rule.PUBLIC else f"{self.rule.value} ({self.scope.value})"


@dataclass(frozen=True)
class Principal:
    """The signed-in person (or token) a request acts as."""

    name: str
    """How they are named in the audit log, on acknowledgements and as the author of what they make."""
    account_id: int | None = None
    email: str | None = None
    person_id: str | None = None
    platform_admin: bool = False
    admin_of: frozenset[str] = frozenset()
    member_of: frozenset[str] = frozenset()
    scopes: frozenset[Scope] = ALL_SCOPES
    via: str = "session"
    """session, token or cli."""
    token_id: int | None = None

    @property
    def role(self) -> Role:
        if self.platform_admin:
            return Role.PLATFORM_ADMIN
        if self.admin_of:
            return Role.TEAM_ADMIN
        return Role.TEAM_MEMBER if self.member_of else Role.VIEWER

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def may(self, policy: Policy, team: str | None = None) -> bool:
        """Whether this principal may use a route of this policy on something `team` owns (None: before the route
        has found the owner, when only the role is checked)."""
        if policy.rule is Rule.PUBLIC:
            return True
        if not self.has(policy.scope):
            return False
        if policy.rule is Rule.READ or self.platform_admin:
            return True
        if policy.rule is Rule.PLATFORM:
            return False
        teams = self.admin_of if policy.rule is Rule.TEAM_ADMIN else self.member_of
        return bool(teams) if team is None else team in teams

    def teams(self) -> list[str]:
        return sorted(self.member_of)


@dataclass(frozen=True)
class Grant:
    """What an account's own role adds to the catalog's membership."""

    role: Role
    team: str | None = None


@dataclass(frozen=True)
class Membership:
    """What the catalog says of the person with the account's email."""

    person_id: str | None = None
    team: str | None = None
    platform_team: bool = False


def rights(grant: Grant, membership: Membership) -> tuple[bool, frozenset[str], frozenset[str]]:
    """(platform admin, admin of, member of) from an account's grant and the catalog's membership."""
    platform_admin = grant.role is Role.PLATFORM_ADMIN or membership.platform_team
    member = {membership.team} if membership.team else set()
    admin: set[str] = set()
    if grant.team and grant.role in TEAM_ROLES:
        member.add(grant.team)
        if grant.role is Role.TEAM_ADMIN:
            admin.add(grant.team)
    return platform_admin, frozenset(admin), frozenset(member)


def out_of_reach(who: Principal, platform_admin: bool, teams: frozenset[str]) -> str | None:
    """Why `who` may not make or manage an account whose rights, catalog and role together, are these; None when
    they may. Nobody manages an account with rights beyond their own, so that making an account, or a sign-in
    link for one, never makes its maker more than they are (the catalog grants by email: an account for a
    platform-team person is a platform admin's account)."""
    if who.platform_admin:
        return None
    if platform_admin:
        return "is a platform admin (by role, or as a person of the platform team in the catalog)"
    others = teams - who.admin_of
    if others:
        return f"has rights in {', '.join(sorted(others))} (by role or the catalog), which you do not admin"
    return None

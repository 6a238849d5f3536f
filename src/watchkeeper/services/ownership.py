"""Whether whoever makes a change may make it: a team's things are changed by its members (and platform admins),
and what no team owns by platform admins. Services check this inside the transaction of the change, once
they have read the object, so that a route cannot forget it and a race cannot slip past it."""

from collections.abc import Iterable

from watchkeeper.services.audit import Actor
from watchkeeper.services.refusals import Refused


class NotYours(Refused):
    status = 403


def require_member(actor: Actor, teams: Iterable[str | None], what: str) -> None:
    """Refuses unless the actor is a platform admin or a member of every team in `teams` (None: nobody's)."""
    who = actor.principal
    if who.platform_admin:
        return
    owners = set(teams)
    if None in owners or not owners:
        raise NotYours(f"{what} belongs to no team: only a platform admin may change it")
    others = sorted(team for team in owners if team is not None and team not in who.member_of)
    if others:
        named = ", ".join(others)
        raise NotYours(f"{what} belongs to team {named}: only its members or a platform admin may change it")


def require_admin(actor: Actor, team: str | None, what: str) -> None:
    who = actor.principal
    if who.platform_admin or (team is not None and team in who.admin_of):
        return
    owner = f"team {team}'s admins" if team else "a platform admin"
    raise NotYours(f"{what}: only {owner} or a platform admin may do this")

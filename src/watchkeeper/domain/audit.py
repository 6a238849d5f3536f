"""Reading the audit log: who may read which events, and what changed between an event's before and after.

Everyone signed in reads every event (a team member "reads everything else", as the issue says), except the
events of accounts and API tokens: who signed in from where, who holds which token. Those are read by platform
admins, by a team's admins for the accounts and tokens of their team, and by each person for their own
account and for what they did themselves."""

from dataclasses import dataclass
from typing import Any

from watchkeeper.domain.access import Principal, Scope

RESTRICTED_KINDS = ("account", "token")
"""Object kinds whose events only admins (and the person concerned) read."""
DEPTH = 6
"""Nested objects deeper than this are compared whole: an audit value is a small document, not a tree."""


@dataclass(frozen=True)
class Readable:
    """Which events a principal reads: all, or all but the restricted kinds outside their reach."""

    everything: bool
    teams: frozenset[str] = frozenset()
    """Teams whose restricted events they read (as an admin of the team)."""
    account_id: int | None = None
    """Their own account: its events, and the events they made."""

    def allows(self, kind: str, object_id: str, team: str | None, actor_account: int | None) -> bool:
        if self.everything or kind not in RESTRICTED_KINDS:
            return True
        if team is not None and team in self.teams:
            return True
        if self.account_id is None:
            return False
        return actor_account == self.account_id or (kind == "account" and object_id == str(self.account_id))


def readable_by(who: Principal) -> Readable:
    """A token without the `accounts` scope reads no one else's account events, whatever its owner may."""
    admin = who.has(Scope.ACCOUNTS)
    return Readable(
        everything=admin and who.platform_admin,
        teams=who.admin_of if admin else frozenset(),
        account_id=who.account_id,
    )


@dataclass(frozen=True)
class FieldChange:
    """One field that differs, named by its path (`matchers`, `schedule.timezone`); `before` or `after` is
    missing (and shown as such) when the field was added or removed."""

    field: str
    before: Any = None
    after: Any = None
    added: bool = False
    removed: bool = False


def changes(before: Any, after: Any) -> list[FieldChange]:
    """The fields whose values differ, in the order of their paths. Objects are compared field by field; lists
    and everything else whole. A record made with only an `after` (a creation) lists every field as added."""
    found: list[FieldChange] = []
    _compare("", before, after, found, 0)
    return found


def _compare(path: str, before: Any, after: Any, found: list[FieldChange], depth: int) -> None:
    if isinstance(before, dict) and isinstance(after, dict) and depth < DEPTH:
        for key in sorted(set(before) | set(after), key=str):
            name = f"{path}.{key}" if path else str(key)
            if key not in before:
                _added(name, after[key], found)
            elif key not in after:
                found.append(FieldChange(name, before=before[key], removed=True))
            else:
                _compare(name, before[key], after[key], found, depth + 1)
        return
    if before is None and isinstance(after, dict) and not path:
        for key in sorted(after, key=str):
            _added(str(key), after[key], found)
        return
    if after is None and isinstance(before, dict) and not path:
        found.extend(FieldChange(str(key), before=before[key], removed=True) for key in sorted(before, key=str))
        return
    if before != after or type(before) is not type(after):
        found.append(FieldChange(path or "value", before=before, after=after))


def _added(name: str, value: Any, found: list[FieldChange]) -> None:
    found.append(FieldChange(name, after=value, added=True))

"""Silences as people make them through the API, the CLI and the console: checked, stored, listed, expired."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import RowMapping

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.domain.silences import Matcher, check_matchers, matcher, parse_matcher
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.ownership import NotYours, require_member
from watchkeeper.services.periods import checked_period
from watchkeeper.services.refusals import Conflict, NotFound, Refused, person_text
from watchkeeper.store import Database
from watchkeeper.store import silences as store
from watchkeeper.store.silences import Listing

AUTHOR_LIMIT = 200
COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class SilenceView:
    id: int
    matchers: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    """The planned end; `expired_at` says when it was ended early."""
    author: str
    comment: str
    created_at: datetime
    expired_at: datetime | None
    expired_by: str | None
    state: str
    """pending, active or expired."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "matchers": list(self.matchers),
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "author": self.author,
            "comment": self.comment,
            "created_at": self.created_at.isoformat(),
            "expired_at": self.expired_at.isoformat() if self.expired_at else None,
            "expired_by": self.expired_by,
            "state": self.state,
        }


@dataclass(frozen=True)
class NewSilence:
    matchers: Sequence[str | Mapping[str, Any]]
    """`service=pay-api` or {"name": "service", "op": "=", "value": "pay-api"}."""
    comment: str
    ends_at: datetime | None = None
    duration: timedelta | None = None
    """Either an end or a length (from the start)."""
    starts_at: datetime | None = None
    """Now, when not given."""


def create_silence(db: Database, now: datetime, new: NewSilence, actor: Actor) -> SilenceView:
    """A team member's silence must name their team (`team=pay`), so that it quiets only their team's alerts."""
    matchers = checked_matchers(new.matchers)
    author = person_text(actor.name, "author", AUTHOR_LIMIT)
    comment = person_text(new.comment, "comment", COMMENT_LIMIT)
    starts_at, ends_at = checked_period(now, new.starts_at, new.ends_at, new.duration)
    team = team_of(matchers)
    if team is None and not actor.principal.platform_admin:
        mine = " or ".join(f"team={t}" for t in actor.principal.teams()) or "team=YOUR-TEAM"
        raise NotYours(f"a silence must name the team whose alerts it quiets: add the matcher {mine}")
    require_member(actor, [team], "a silence of these alerts")
    with db.transaction() as connection:
        dicts = [m.as_dict() for m in matchers]
        silence_id = store.add(connection, dicts, starts_at, ends_at, author, comment, now)
        row = store.get(connection, silence_id)
        assert row is not None
        made = view(row, now)
        record(connection, actor, now, "silence.create", ("silence", str(silence_id)), team, after=made.as_json())
    return made


def team_of(matchers: Sequence[Matcher]) -> str | None:
    """The team a silence is confined to: its `team=` matcher (a silence may match only one team that way)."""
    return next((m.value for m in matchers if m.name == "team" and m.op == "="), None)


def checked_matchers(given: Sequence[str | Mapping[str, Any]]) -> tuple[Matcher, ...]:
    parsed = []
    for index, item in enumerate(given):
        try:
            parsed.append(_one_matcher(item))
        except ValueError as error:
            raise Refused(f"matchers[{index}]: {error}") from None
    try:
        return check_matchers(parsed)
    except ValueError as error:
        raise Refused(f"matchers: {error}") from None


def _one_matcher(item: str | Mapping[str, Any]) -> Matcher:
    if isinstance(item, str):
        return parse_matcher(item)
    name, op, value = (item.get(key) for key in ("name", "op", "value"))
    if not all(isinstance(part, str) for part in (name, op, value)):
        raise ValueError('write a matcher as "NAME=VALUE" or as {"name": ..., "op": ..., "value": ...}')
    return matcher(str(name), str(op), str(value))


def list_silences(db: Database, now: datetime, which: Listing = "current") -> list[SilenceView]:
    with db.reading() as connection:
        return [view(row, now) for row in store.listed(connection, now, which)]


def silence_page(db: Database, now: datetime, which: Listing, after: Key | None, limit: int) -> Page[SilenceView]:
    with db.reading() as connection:
        found = store.page(connection, now, which, after, limit)
    return Page([view(row, now) for row in found.items], found.next)


def get_silence(db: Database, now: datetime, silence_id: int) -> SilenceView:
    with db.reading() as connection:
        row = store.get(connection, silence_id)
    if row is None:
        raise NotFound(f"no silence {silence_id}")
    return view(row, now)


def expire_silence(db: Database, now: datetime, silence_id: int, actor: Actor) -> SilenceView:
    who = person_text(actor.name, "the name of who expires it", AUTHOR_LIMIT)
    with db.transaction() as connection:
        found = store.get(connection, silence_id)
        if found is None:
            raise NotFound(f"no silence {silence_id}")
        before = view(found, now)
        team = team_of(checked_matchers(before.matchers))
        require_member(actor, [team], f"silence {silence_id}")
        if not store.expire(connection, silence_id, now, who):
            raise Conflict(f"silence {silence_id} has already ended")
        row = store.get(connection, silence_id)
        assert row is not None
        after = view(row, now)
        obj = ("silence", str(silence_id))
        record(connection, actor, now, "silence.expire", obj, team, before.as_json(), after.as_json())
    return after


def view(row: RowMapping, now: datetime) -> SilenceView:
    ended = row["ends_at"] if row["expired_at"] is None else min(row["ends_at"], row["expired_at"])
    state = "pending" if now < row["starts_at"] else ("active" if now < ended else "expired")
    return SilenceView(
        id=row["id"],
        matchers=tuple(f"{m['name']}{m['op']}{m['value']}" for m in row["matchers"]),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        author=row["author"],
        comment=row["comment"],
        created_at=row["created_at"],
        expired_at=row["expired_at"],
        expired_by=row["expired_by"],
        state=state,
    )

"""Reading the audit log, as the console and the API show it: filtered, newest first, a page at a time, only the
events the reader may read (domain.audit), each with the fields that changed.

Filters are checked here, once for both: a value that cannot match anything the log holds (a team id with
spaces, a date that is not one) is refused with the name of the filter, never passed to the database."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from watchkeeper.domain import emails
from watchkeeper.domain.access import Principal
from watchkeeper.domain.audit import FieldChange, changes, readable_by
from watchkeeper.services.audit import VIA, as_json
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.store import Database
from watchkeeper.store import accounts as account_store
from watchkeeper.store import audit as store
from watchkeeper.store.audit import AuditFilter, AuditRow

PAGE = 50
LONGEST_PAGE = 500
_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$")
"""Ids, kinds and actions as the log writes them; anything else cannot match, and is refused."""
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AuditQuery:
    """The filters as given (console form or API query); every one may be left out."""

    team: str | None = None
    kind: str | None = None
    object_id: str | None = None
    who: str | None = None
    """An account's email (exactly), or part of the actor's name."""
    action: str | None = None
    via: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = None
    """The cursor: entries older than this id."""


@dataclass(frozen=True)
class Entry:
    row: AuditRow
    changes: list[FieldChange] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        listed = [
            {"field": c.field, "before": c.before, "after": c.after, "added": c.added, "removed": c.removed}
            for c in self.changes
        ]
        return {**as_json(self.row), "changes": listed}


@dataclass(frozen=True)
class AuditPage:
    entries: list[Entry]
    next_before: int | None
    """The cursor of the next (older) page, when there is one."""


def page(db: Database, who: Principal, query: AuditQuery, limit: int = PAGE) -> AuditPage:
    limit = min(max(limit, 1), LONGEST_PAGE)
    with db.reading() as connection:
        where = _filter(connection, who, query)
        rows = store.listing(connection, where, limit + 1)  # one more only says another page follows
    shown = rows[:limit]
    following = shown[-1].id if len(rows) > limit else None
    return AuditPage([Entry(row, changes(row.before, row.after)) for row in shown], following)


def entry(db: Database, who: Principal, event_id: int) -> Entry:
    """One event; one the reader may not read is answered as one that does not exist."""
    with db.reading() as connection:
        row = store.get(connection, event_id)
    if row is None or not readable_by(who).allows(row.object_kind, row.object_id, row.team_id, row.account_id):
        raise NotFound(f"no audit entry {event_id}")
    return Entry(row, changes(row.before, row.after))


def _filter(connection: Any, who: Principal, query: AuditQuery) -> AuditFilter:
    account_id: int | None = None
    actor_text: str | None = None
    if query.who:
        text = _text(query.who.strip()[:200], "who")
        if "@" in text:
            found = account_store.by_email(connection, emails.fold(text))
            account_id = found.id if found else 0  # an unknown email matches nothing (ids start at 1)
        else:
            actor_text = text
    since, until = _period(query.since, query.until)
    return AuditFilter(
        team_id=_word(query.team, "team"),
        object_kind=_word(query.kind, "kind"),
        object_id=_word(query.object_id, "object id"),
        account_id=account_id,
        action=_word(query.action, "action"),
        since=since,
        until=until,
        before_id=query.before,
        actor_text=actor_text,
        via=_via(query.via),
        readable=readable_by(who),
    )


def _word(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if not _WORD.match(cleaned):
        raise Refused(f"{name}: {cleaned[:40]!r} is not an id the audit log could hold")
    return cleaned


def _text(value: str, name: str) -> str:
    if any(ord(c) < 32 or c == "\x7f" for c in value):
        raise Refused(f"{name}: control characters cannot match a name or an email")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(f"{name}: not text") from None
    return value


def _via(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if value.strip() not in VIA:
        raise Refused(f"via: {value.strip()[:20]!r} is not one of {', '.join(VIA)}")
    return value.strip()


def _period(since: datetime | None, until: datetime | None) -> tuple[datetime | None, datetime | None]:
    since, until = _instant(since, "since"), _instant(until, "until")
    if since is not None and until is not None and until <= since:
        raise Refused("until must come after since")
    return since, until


def _instant(at: datetime | None, name: str) -> datetime | None:
    if at is None:
        return None
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if not EARLIEST <= at <= LATEST:
        raise Refused(f"{name} must be between {EARLIEST.year} and {LATEST.year}")
    return at.astimezone(UTC)


def day_start(day: date) -> datetime:
    """A date typed in the console: from its start, UTC."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def day_end(day: date) -> datetime:
    """A date typed as the last day of a range: up to the start of the next, so the day itself is included."""
    return day_start(day) + timedelta(days=1)

"""iCalendar feeds of on-call shifts, per schedule and per person, at secret URLs (ADR 0034).

A feed's token is 128 random bits, shown once and kept only as a SHA-256 digest and a four-character hint, like
an integration key: too many to guess, so one fast digest is enough and the feed endpoint finds the feed by its
digest. Issuing a new token for a subject (rotating) stops the old URL at once. A token that is unknown, rotated,
malformed, or whose schedule or person has left the catalog is answered alike by the caller: not found."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from watchkeeper.services.audit import Actor, record
from watchkeeper.services.oncall import ShiftView, shifts_of
from watchkeeper.services.overrides import known_person, known_schedule
from watchkeeper.services.ownership import require_member
from watchkeeper.services.refusals import Conflict, Refused, person_text
from watchkeeper.store import Database
from watchkeeper.store import calendar_feeds as store
from watchkeeper.store import overrides as catalog
from watchkeeper.store.calendar_feeds import FeedRow, SubjectKind

TOKEN_LENGTH = 32
HINT_LENGTH = 4
_WELL_FORMED = re.compile(r"^[0-9a-f]{32}$")
PAST = timedelta(days=14)
AHEAD = timedelta(weeks=8)
LONG_SHIFT = timedelta(days=31)
"""How far past the feed's end shifts are computed, so that a shift starting near the end keeps its real end."""
NO_FEED = "none"
"""The version of a subject without a feed."""
NAME_LIMIT = 200
PRODID = "-//Watchkeeper//On-call shifts//EN"


class FeedExists(Conflict):
    """The subject already has a feed: its URL was shown once and cannot be shown again; rotate for a new one."""


class FeedChanged(Conflict):
    """The feed is no longer the one the person was shown: someone rotated it meanwhile, or the form came twice."""


@dataclass(frozen=True)
class FeedSubject:
    kind: SubjectKind
    id: str
    name: str
    feed: FeedRow | None

    @property
    def version(self) -> str:
        """Which token a page showed, for its form to say which one it means to replace."""
        if self.feed is None:
            return NO_FEED
        return f"{self.feed.hint}-{self.feed.issued_at:%Y%m%dT%H%M%S%f}"


@dataclass(frozen=True)
class IssuedFeed:
    subject: FeedSubject
    """As it was before this token replaced its previous one."""
    token: str
    issued_at: datetime
    issued_by: str | None

    @property
    def path(self) -> str:
        return feed_path(self.token)


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    description: str
    start: datetime
    end: datetime


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + feed_path(token)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subject(db: Database, kind: SubjectKind, subject_id: str) -> FeedSubject:
    """The schedule or person, with its feed if one is issued; NotFound or Refused when not in the catalog."""
    with db.reading() as connection:
        return _subject(connection, kind, subject_id)


def issue_feed(
    db: Database, kind: SubjectKind, subject_id: str, now: datetime, actor: Actor, rotate: bool = False
) -> IssuedFeed:
    """A first token for the subject; with `rotate`, a new one in place of the one it has (which stops working
    when this commits). Without `rotate`, a subject that has a token is refused: its URL cannot be shown again."""
    with db.transaction() as connection:
        found = _subject(connection, kind, subject_id)
        if found.feed is not None and not rotate:
            raise FeedExists(_exists(found))
    return issue_seen(db, kind, subject_id, now, actor, found.version)


def issue_seen(
    db: Database,
    kind: SubjectKind,
    subject_id: str,
    now: datetime,
    actor: Actor,
    seen: str,
) -> IssuedFeed:
    """A new token, provided the subject's feed is still version `seen` (NO_FEED for none): a form sent twice,
    or two people at once, never silently replace the URL just shown. A person's feed is theirs to issue, or
    their team's; a schedule's, its team's."""
    name = person_text(actor.name, "your name", NAME_LIMIT)
    token = secrets.token_hex(TOKEN_LENGTH // 2)
    try:
        with db.transaction() as connection:
            found = _subject(connection, kind, subject_id)
            team = _team_of(connection, found)
            if not (kind == "person" and actor.principal.person_id == found.id):
                require_member(actor, [team], f"the calendar link of {found.name}")
            if found.version != seen:
                raise FeedChanged(_changed(found))
            hint = token[-HINT_LENGTH:]
            if not store.replace_if_unchanged(
                connection, kind, found.id, found.feed, digest_of(token), hint, now, name
            ):
                raise FeedChanged("another request replaced the calendar link a moment ago")
            after = {"subject": f"{kind}:{found.id}", "hint": hint, "replaced": found.feed is not None}
            record(connection, actor, now, "calendar-feed.issue", (kind, found.id), team, after=after)
    except IntegrityError:  # a first token issued by another request between our read and our insert
        raise FeedChanged("another request issued a calendar link a moment ago") from None
    return IssuedFeed(found, token, now, name)


def calendar_for(db: Database, token: str, now: datetime) -> bytes | None:
    """The feed's iCalendar text; None for any token that opens no feed (the caller answers all alike)."""
    if not _WELL_FORMED.match(token):
        return None
    with db.reading() as connection:
        row = store.find_by_digest(connection, digest_of(token))
        if row is None:
            return None
        try:
            found = _subject(connection, row.subject_kind, row.subject_id)
        except Refused:  # the schedule or person has left the catalog
            return None
        events = _events(connection, found, now)
    title = f"On call: {found.name}" if found.kind == "schedule" else f"{found.name}: on call"
    return render_calendar(title, events, now)


def render_calendar(title: str, events: list[FeedEvent], now: datetime) -> bytes:
    """RFC 5545 text: one VEVENT a shift, instants in UTC, and a hint to calendar apps to refresh hourly."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", title)
    calendar.add("x-wr-calname", title)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", timedelta(hours=1))
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("summary", item.summary)
        event.add("description", item.description)
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed


def feed_range(now: datetime) -> tuple[datetime, datetime]:
    """From the Monday 00:00 UTC at least two weeks back to eight weeks on. The start moves once a week, not with
    every request, so the oldest shift (cut at the start) keeps its UID for a week at a time."""
    back = (now - PAST).astimezone(UTC)
    monday = datetime(back.year, back.month, back.day, tzinfo=UTC) - timedelta(days=back.weekday())
    return monday, now + AHEAD


def _events(connection: Connection, found: FeedSubject, now: datetime) -> list[FeedEvent]:
    start, end = feed_range(now)
    ids = [found.id] if found.kind == "schedule" else [row["id"] for row in catalog.schedules(connection)]
    events = []
    for schedule_id in ids:
        answer = shifts_of(connection, schedule_id, start, end + LONG_SHIFT)
        title = answer.schedule_name or answer.schedule
        for shift in answer.shifts:
            if shift.start >= end or (found.kind == "person" and shift.person.id != found.id):
                continue
            events.append(_event(found.kind, answer.schedule, title, shift))
    return sorted(events, key=lambda e: (e.start, e.uid))


def _event(kind: SubjectKind, schedule_id: str, title: str, shift: ShiftView) -> FeedEvent:
    # The UID names the feed's kind, the schedule, the person and the start, which are what make a shift this
    # shift: a changed end (an override trimming it) updates the event; a new person in the slot replaces it.
    uid = f"{kind}-{schedule_id}-{shift.person.id}-{shift.start:%Y%m%dT%H%M%SZ}@watchkeeper"
    summary = f"On call: {title}" if kind == "person" else f"{shift.person.name} on call"
    origin = "an override" if shift.layer is None else f"the {shift.source} layer"
    description = f"{shift.person.name} is on call for {title} ({schedule_id}), from {origin}."
    return FeedEvent(uid, summary, description, shift.start, shift.end)


def _subject(connection: Connection, kind: SubjectKind, subject_id: str) -> FeedSubject:
    if kind == "schedule":
        facts = known_schedule(connection, subject_id)
        found_id, name = facts.id, facts.title
    else:
        people = catalog.people(connection)
        found_id = known_person(people, subject_id, "person")
        name = people[found_id]
    return FeedSubject(kind, found_id, name, store.feed(connection, kind, found_id))


def _team_of(connection: Connection, found: FeedSubject) -> str | None:
    if found.kind == "schedule":
        return known_schedule(connection, found.id).team_id
    return catalog.team_of_person(connection, found.id)


def _exists(found: FeedSubject) -> str:
    assert found.feed is not None
    by = f" by {found.feed.issued_by}" if found.feed.issued_by else ""
    return (
        f"{found.kind} {found.id} already has a calendar link (ending …{found.feed.hint}, issued "
        f"{found.feed.issued_at:%Y-%m-%d %H:%M} UTC{by}); it is shown only once. Rotate to issue a new one: "
        "the old one then stops working"
    )


def _changed(found: FeedSubject) -> str:
    if found.feed is None:
        return "the page named a calendar link that no longer exists"
    return f"the calendar link was replaced since the page was shown: it now ends …{found.feed.hint}"

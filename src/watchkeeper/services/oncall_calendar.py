"""What the console's on-call pages show: each schedule with who is on call now and next, and a schedule's week
(day by day, in its own timezone), its next two weeks, and its overrides. Shifts from layers and from
overrides are told apart, and times nobody is on call are entries of their own."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from watchkeeper.domain.oncall import instant_of
from watchkeeper.services.calendar_feeds import FeedSubject, subject
from watchkeeper.services.oncall import OnCall, ScheduleShifts, now_on_call, shifts_of
from watchkeeper.services.overrides import OverrideView, ScheduleFacts, known_schedule, list_overrides
from watchkeeper.store import Database
from watchkeeper.store import overrides as catalog

AHEAD = timedelta(days=14)
NEXT_SHOWN = 3


@dataclass(frozen=True)
class Entry:
    """A shift, or a time nobody is on call (person None), as the calendar shows it."""

    start: datetime
    end: datetime
    person: str | None
    person_id: str | None
    source: str | None
    """The layer's name, "override", or None for a gap."""

    @property
    def override(self) -> bool:
        return self.source == "override"


@dataclass(frozen=True)
class Day:
    day: date
    entries: tuple[Entry, ...]
    """Clipped to the day; an entry's own start and end say whether it runs on from or into another day."""
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ScheduleNow:
    answer: OnCall
    next: tuple[Entry, ...]


@dataclass(frozen=True)
class SchedulePage:
    facts: ScheduleFacts
    week: date
    """The Monday the week starts on, in the schedule's timezone."""
    days: tuple[Day, ...]
    upcoming: tuple[Entry, ...]
    overrides: tuple[OverrideView, ...]
    people: dict[str, str]
    """Everyone in the catalog, id to name, for the override form."""
    feed: FeedSubject


def overview(db: Database, now: datetime) -> list[ScheduleNow]:
    with db.reading() as connection:
        answers = now_on_call(connection, None, now)
        return [
            ScheduleNow(answer, tuple(_next(shifts_of(connection, answer.schedule, now, now + AHEAD), now)))
            for answer in answers
        ]


def schedule_page(db: Database, schedule_id: str, now: datetime, week_of: date | None) -> SchedulePage:
    with db.reading() as connection:
        facts = known_schedule(connection, schedule_id)
        zone = ZoneInfo(facts.timezone)
        monday = _monday(week_of or now.astimezone(zone).date())
        start, end = _midnight(monday, zone), _midnight(monday + timedelta(days=7), zone)
        week = entries(shifts_of(connection, facts.id, start, end))
        days = tuple(_day(monday + timedelta(days=n), zone, week) for n in range(7))
        upcoming = tuple(entries(shifts_of(connection, facts.id, now, now + AHEAD)))
        people = catalog.people(connection)
    current = tuple(list_overrides(db, now, facts.id))
    return SchedulePage(facts, monday, days, upcoming, current, people, subject(db, "schedule", facts.id))


def entries(answer: ScheduleShifts) -> list[Entry]:
    """Shifts and gaps in order."""
    found = [Entry(s.start, s.end, s.person.name, s.person.id, s.source) for s in answer.shifts]
    found += [Entry(start, end, None, None, None) for start, end in answer.gaps]
    return sorted(found, key=lambda entry: entry.start)


def _next(answer: ScheduleShifts, now: datetime) -> list[Entry]:
    """The next changes of who is on call: a person whose shifts from two layers follow one another is one."""
    found: list[Entry] = []
    previous: str | None = ""
    for entry in entries(answer):
        if entry.start > now and entry.person_id != previous:
            found.append(entry)
        previous = entry.person_id
    return found[:NEXT_SHOWN]


def _day(day: date, zone: ZoneInfo, week: list[Entry]) -> Day:
    start, end = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
    return Day(day, tuple(e for e in week if e.start < end and e.end > start), start, end)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # The on-call maths' rule for local times: a midnight that a clock change skips is the change's instant.
    return instant_of(datetime.combine(day, time(0)), zone)

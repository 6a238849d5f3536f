"""Who is on call, and a schedule's shifts and gaps (ADR 0031): the catalog's schedules turned into the domain's
rotas and answered by its maths, from the database or straight from catalog files."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from watchkeeper.catalog.model import Catalog
from watchkeeper.catalog.problems import closest
from watchkeeper.catalog.teams import Schedule
from watchkeeper.domain.oncall import Override, Shift, on_call, shifts, uncovered
from watchkeeper.services.overrides import applied_overrides, covering_people
from watchkeeper.services.refusals import NotFound, Refused
from watchkeeper.services.rotas import rota_of
from watchkeeper.store import schedules as store

LONGEST_RANGE = timedelta(days=366)
UNTIL_HORIZONS = (timedelta(days=14), LONGEST_RANGE)
"""How far ahead `until` is looked for: a fortnight answers nearly every rota; a year at most."""
EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Instants asked about must lie between these: far from the ends of what datetime can hold."""

OverridesOf = Callable[[str, datetime, datetime], list[Override]]
"""(schedule id, start, end) -> the overrides of that schedule that meet [start, end), in the order they apply."""


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    email: str

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "email": self.email}


@dataclass(frozen=True)
class Roster:
    """Schedules with their teams, the people they name, and where overrides come from."""

    schedules: tuple[tuple[str, Schedule], ...]
    """(team id, schedule), by team and then schedule id."""
    people: Mapping[str, Contact]
    teams: tuple[str, ...]
    overrides_of: OverridesOf
    where: str
    """Where it was read, for messages: "the database" or the catalog's path."""


@dataclass(frozen=True)
class OnCall:
    """One schedule's answer at an instant."""

    team: str
    schedule: str
    schedule_name: str | None
    timezone: str
    at: datetime
    person: Contact | None
    """None: nobody is on call."""
    source: str | None
    """The layer's name (or "layer N"), "override", or None when nobody is on call."""
    until: datetime | None
    """When this answer next changes; None when it holds for more than a year."""

    def as_json(self) -> dict[str, Any]:
        return {
            "team": self.team,
            "schedule": self.schedule,
            "schedule_name": self.schedule_name,
            "timezone": self.timezone,
            "at": _iso(self.at, self.timezone),
            "person": None if self.person is None else self.person.as_json(),
            "source": self.source,
            "until": None if self.until is None else _iso(self.until, self.timezone),
        }


@dataclass(frozen=True)
class ShiftView:
    person: Contact
    start: datetime
    end: datetime
    layer: int | None
    """Index of the layer that gave it (0 = the first, lowest), or None for an override."""
    source: str


@dataclass(frozen=True)
class ScheduleShifts:
    team: str
    schedule: str
    schedule_name: str | None
    timezone: str
    start: datetime
    end: datetime
    shifts: tuple[ShiftView, ...]
    gaps: tuple[tuple[datetime, datetime], ...]
    """When nobody is on call, in order."""

    def as_json(self) -> dict[str, Any]:
        zone = self.timezone
        return {
            "team": self.team,
            "schedule": self.schedule,
            "schedule_name": self.schedule_name,
            "timezone": zone,
            "from": _iso(self.start, zone),
            "to": _iso(self.end, zone),
            "shifts": [
                {
                    "person": s.person.as_json(),
                    "start": _iso(s.start, zone),
                    "end": _iso(s.end, zone),
                    "layer": s.layer,
                    "source": s.source,
                }
                for s in self.shifts
            ],
            "gaps": [{"start": _iso(start, zone), "end": _iso(end, zone)} for start, end in self.gaps],
        }


# From the catalog to the domain


# Answers from the database


def now_on_call(connection: Connection, team: str | None, at: datetime) -> list[OnCall]:
    """Who each schedule (of `team`, or of every team) puts on call at `at`."""
    return on_call_in(_stored_roster(connection, team), team, at)


def shifts_of(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> ScheduleShifts:
    """The shifts and gaps of one schedule over [start, end)."""
    found = store.schedule(connection, schedule_id)
    if found is None:
        raise NotFound(_unknown("schedule", schedule_id, store.schedule_ids(connection), "the database"))
    contacts = _contacts(store.people(connection, _named_ids(connection, [found.schedule])))
    roster = Roster(((found.team_id, found.schedule),), contacts, (found.team_id,), _overrides_reader(connection), "")
    return shifts_in(roster, schedule_id, start, end)


def person_on_call(connection: Connection, schedule_id: str, at: datetime) -> Contact | None:
    """Whom schedule `schedule_id` puts on call at `at`, overrides included; None when nobody is (a gap). The
    cheap question escalation asks on every page: no shifts are worked out."""
    at = _instant(at, "the time")
    found = store.schedule(connection, schedule_id)
    if found is None:
        raise NotFound(_unknown("schedule", schedule_id, store.schedule_ids(connection), "the database"))
    overrides = _overrides(connection, schedule_id, at, at + timedelta(microseconds=1))
    person = on_call(rota_of(found.schedule), overrides, at)
    if person is None:
        return None
    stored = store.people(connection, [person]).get(person)
    return Contact(person, person, "") if stored is None else Contact(stored.id, stored.name, stored.email)


def final_shifts(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> tuple[Shift, ...] | None:
    """A schedule's shifts over [start, end), overrides applied; None when the schedule is not in the catalog."""
    found = store.schedule(connection, schedule_id)
    if found is None:
        return None
    return shifts(rota_of(found.schedule), _overrides(connection, schedule_id, start, end), start, end)


def _overrides(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> list[Override]:
    # The one place that reads them, in the order they apply (later wins), for every answer from the database.
    return applied_overrides(connection, schedule_id, start, end)


def _overrides_reader(connection: Connection) -> OverridesOf:
    return lambda schedule_id, start, end: _overrides(connection, schedule_id, start, end)


def _stored_roster(connection: Connection, team: str | None) -> Roster:
    teams = tuple(store.team_ids(connection))
    found = store.schedules(connection, team)
    contacts = _contacts(store.people(connection, _named_ids(connection, [s.schedule for s in found])))
    pairs = tuple((s.team_id, s.schedule) for s in found)
    return Roster(pairs, contacts, teams, _overrides_reader(connection), "the database")


def _contacts(people: Mapping[str, store.StoredPerson]) -> dict[str, Contact]:
    return {p.id: Contact(p.id, p.name, p.email) for p in people.values()}


def _named_ids(connection: Connection, schedules: list[Schedule]) -> set[str]:
    """Everyone the schedules' answers may name: their rotations, and whoever covers in their overrides (any
    person of the catalog may)."""
    return _rotation_ids(schedules) | covering_people(connection, [s.id for s in schedules])


def _rotation_ids(schedules: Iterable[Schedule]) -> set[str]:
    return {person for schedule in schedules for layer in schedule.layers for person in layer.rotation}


# Answers from catalog files


def roster_of(catalog: Catalog, where: str) -> Roster:
    """The catalog's schedules; files hold no overrides (they are runtime state, kept in the database)."""
    pairs = sorted(((team.id, s) for team in catalog.teams for s in team.schedules), key=lambda p: (p[0], p[1].id))
    contacts = {p.id: Contact(p.id, p.name, p.email) for _, p in catalog.people()}
    return Roster(tuple(pairs), contacts, tuple(sorted(t.id for t in catalog.teams)), lambda *_: [], where)


# Answers from a roster


def on_call_in(roster: Roster, team: str | None, at: datetime) -> list[OnCall]:
    at = _instant(at, "the time")
    if team is not None and team not in roster.teams:
        raise NotFound(_unknown("team", team, roster.teams, roster.where))
    return [_answer(roster, team_id, schedule, at) for team_id, schedule in roster.schedules if team in (None, team_id)]


def shifts_in(roster: Roster, schedule_id: str, start: datetime, end: datetime) -> ScheduleShifts:
    matching = [(team_id, s) for team_id, s in roster.schedules if s.id == schedule_id]
    if not matching:
        raise NotFound(_unknown("schedule", schedule_id, [s.id for _, s in roster.schedules], roster.where))
    team_id, schedule = matching[0]
    start, end = _range(start, end)
    found = _shifts(roster, schedule, start, end)
    views = tuple(_view(roster, schedule, shift) for shift in found)
    return ScheduleShifts(
        team_id, schedule.id, schedule.name, schedule.timezone, start, end, views, uncovered(found, start, end)
    )


def _answer(roster: Roster, team_id: str, schedule: Schedule, at: datetime) -> OnCall:
    person: Contact | None = None
    source: str | None = None
    until: datetime | None = None
    for horizon in UNTIL_HORIZONS:
        end = at + horizon
        found = _shifts(roster, schedule, at, end)
        now = found[0] if found and found[0].start == at else None
        if now is not None:
            person, source = _contact(roster, now.person), _source(schedule, now.layer)
        changes = _answer_changes(found, now, end)
        if changes < end:
            until = changes
            break
    return OnCall(team_id, schedule.id, schedule.name, schedule.timezone, at, person, source, until)


def _answer_changes(found: tuple[Shift, ...], now: Shift | None, end: datetime) -> datetime:
    """When the answer at the start of `found` stops: the person's shifts run on back to back (from any layer or
    override), or, when nobody is on call, the first shift begins."""
    if now is None:
        return found[0].start if found else end
    reached = now.start
    for shift in found:
        if shift.start != reached or shift.person != now.person:
            break
        reached = shift.end
    return reached


def _view(roster: Roster, schedule: Schedule, shift: Shift) -> ShiftView:
    return ShiftView(
        _contact(roster, shift.person), shift.start, shift.end, shift.layer, _source(schedule, shift.layer)
    )


def _contact(roster: Roster, person_id: str) -> Contact:
    # The catalog's references make every rotation name a person; an id missing here is shown as it is.
    return roster.people.get(person_id) or Contact(person_id, person_id, "")


def _source(schedule: Schedule, layer: int | None) -> str:
    if layer is None:
        return "override"
    return schedule.layers[layer].name or f"layer {layer + 1}"


# Computing, and checking what is asked


def _shifts(roster: Roster, schedule: Schedule, start: datetime, end: datetime) -> tuple[Shift, ...]:
    try:
        return shifts(rota_of(schedule), roster.overrides_of(schedule.id, start, end), start, end)
    except OverflowError:  # a layer starting near year 1 or 9999
        raise Refused(f"schedule {schedule.id}: its layers start too far from the times asked about") from None


def span_from(start: datetime, length: timedelta) -> tuple[datetime, datetime]:
    """[start, start + length), with the start checked before the sum, which could otherwise overflow."""
    start = _instant(start, "the start")
    return start, start + length


def _instant(at: datetime, what: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise Refused(f"{what} needs a UTC offset, such as 2026-03-29T09:30Z or 2026-03-29T09:30+01:00")
    if not EARLIEST <= at <= LATEST:
        raise Refused(f"{what} must be between {EARLIEST.year} and {LATEST.year}")
    return at.astimezone(UTC)


def _range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    start, end = _instant(start, "the start"), _instant(end, "the end")
    if end <= start:
        raise Refused(f"the range must end after it starts ({end.isoformat()} is not after {start.isoformat()})")
    if end - start > LONGEST_RANGE:
        raise Refused(f"the range is {(end - start).days} days long; ask for at most {LONGEST_RANGE.days} days")
    return start, end


def _unknown(kind: str, wanted: str, known: Iterable[str], where: str) -> str:
    hint = closest(wanted, list(known))
    place = f" in {where}" if where else ""
    return f"no {kind} {wanted!r}{place}" + (f" ({hint})" if hint else "")


def _iso(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).isoformat()

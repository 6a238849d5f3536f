"""Swaps and covers: changes that start from shifts as the shift list shows them, each named by its person and
an instant within it. A swap writes the two overrides that exchange two shifts, in one transaction; a cover
writes one override for all or part of someone's shift.

The shifts are read in the same transaction as the overrides are written, after taking the schedule's lock (on
PostgreSQL; SQLite has one writer at a time), so two swaps of one shift made at once are settled in turn: the
second sees the first's overrides and is refused when its person no longer has that shift."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from watchkeeper.domain.oncall import Shift, shifts
from watchkeeper.services.audit import Actor
from watchkeeper.services.overrides import (
    AUTHOR_LIMIT,
    REASON_LIMIT,
    OverrideView,
    ScheduleFacts,
    applied_overrides,
    audited,
    known_person,
    known_schedule,
    views,
)
from watchkeeper.services.ownership import require_member
from watchkeeper.services.periods import LONGEST
from watchkeeper.services.refusals import Refused, person_text
from watchkeeper.services.rotas import rota_of
from watchkeeper.store import Database
from watchkeeper.store import overrides as store
from watchkeeper.store.contention import lock_keys
from watchkeeper.store.overrides import Kind, NewRow

FIRST_LOOK = timedelta(days=8)
"""How far either side of an instant the shift around it is first looked for; doubled while the shift found
reaches the edge, up to a year either side."""


@dataclass(frozen=True)
class ShiftAt:
    """The shift of `person` that holds the instant `at`."""

    person: str
    at: datetime


@dataclass(frozen=True)
class Swap:
    schedule_id: str
    first: ShiftAt
    second: ShiftAt
    reason: str


@dataclass(frozen=True)
class Cover:
    schedule_id: str
    person: str
    """Who takes the shift: any person of the catalog."""
    covered: ShiftAt
    reason: str
    starts_at: datetime | None = None
    """Within the shift; its start when not given."""
    ends_at: datetime | None = None
    """Within the shift; its end when not given."""


def swap_shifts(db: Database, now: datetime, swap: Swap, actor: Actor) -> tuple[OverrideView, OverrideView]:
    author = person_text(actor.name, "author", AUTHOR_LIMIT)
    reason = person_text(swap.reason, "reason", REASON_LIMIT)
    with db.transaction() as connection:
        facts = known_schedule(connection, swap.schedule_id)
        require_member(actor, [facts.team_id], f"schedule {facts.id}")
        people = store.people(connection)
        first = known_person(people, swap.first.person, "person")
        second = known_person(people, swap.second.person, "with")
        if first == second:
            raise Refused("a swap needs two people: to move one person's shift, cover it or add an override")
        lock_keys(connection, [f"overrides:{facts.id}"])
        ours = _shift_of(connection, facts, ShiftAt(first, swap.first.at), now)
        theirs = _shift_of(connection, facts, ShiftAt(second, swap.second.at), now)
        made = [
            _write(connection, facts, second, ours, ours.start, ours.end, "swap", author, reason, now),
            _write(connection, facts, first, theirs, theirs.start, theirs.end, "swap", author, reason, now),
        ]
        store.pair(connection, made[0], made[1])
        rows = [store.get(connection, made_id) for made_id in made]
        first_view, second_view = views(connection, [row for row in rows if row is not None], now)
        audited(connection, actor, now, "override.swap", facts.team_id, [first_view, second_view])
    return first_view, second_view


def cover_shift(db: Database, now: datetime, cover: Cover, actor: Actor) -> OverrideView:
    author = person_text(actor.name, "author", AUTHOR_LIMIT)
    reason = person_text(cover.reason, "reason", REASON_LIMIT)
    with db.transaction() as connection:
        facts = known_schedule(connection, cover.schedule_id)
        require_member(actor, [facts.team_id], f"schedule {facts.id}")
        people = store.people(connection)
        person = known_person(people, cover.person, "person")
        covered = known_person(people, cover.covered.person, "for")
        if person == covered:
            raise Refused(f"{person} cannot cover their own shift; choose someone else")
        lock_keys(connection, [f"overrides:{facts.id}"])
        shift = _shift_of(connection, facts, ShiftAt(covered, cover.covered.at), now)
        starts_at = _within(cover.starts_at, shift, "from") or shift.start
        ends_at = _within(cover.ends_at, shift, "to") or shift.end
        if ends_at <= starts_at:
            raise Refused("the end must come after the start")
        if ends_at <= now:
            raise Refused(f"to: {ends_at:%Y-%m-%d %H:%M} UTC has already passed")
        made = _write(connection, facts, person, shift, starts_at, ends_at, "cover", author, reason, now)
        row = store.get(connection, made)
        assert row is not None
        view = views(connection, [row], now)[0]
        audited(connection, actor, now, "override.cover", facts.team_id, [view])
        return view


def shift_around(connection: Connection, facts: ScheduleFacts, at: datetime) -> Shift | None:
    """The shift holding `at`, overrides included, whole as the shift list shows it (up to a year either side);
    None when nobody is on call then."""
    rota, reach = rota_of(facts.schedule), FIRST_LOOK
    while True:
        start, end = at - reach, at + reach
        found = shifts(rota, applied_overrides(connection, facts.id, start, end), start, end)
        holding = next((shift for shift in found if shift.start <= at < shift.end), None)
        if holding is None or reach >= LONGEST or (start < holding.start and holding.end < end):
            return holding
        reach = min(reach * 2, LONGEST)


def _shift_of(connection: Connection, facts: ScheduleFacts, wanted: ShiftAt, now: datetime) -> Shift:
    at = _utc(wanted.at)
    shift = shift_around(connection, facts, at)
    when = f"{at:%Y-%m-%d %H:%M} UTC"
    if shift is None:
        raise Refused(f"nobody is on call on {facts.id} at {when}, so {wanted.person} has no shift then")
    if shift.person != wanted.person:
        span = f"{shift.start:%Y-%m-%d %H:%M} to {shift.end:%Y-%m-%d %H:%M} UTC"
        raise Refused(f"{wanted.person} is not on call on {facts.id} at {when}: {shift.person} is ({span})")
    if shift.end <= now:
        raise Refused(f"{wanted.person}'s shift on {facts.id} at {when} has ended; only shifts to come can change")
    if shift.end - max(shift.start, now) > LONGEST:
        raise Refused(f"{wanted.person}'s shift on {facts.id} lasts more than a year: add an override instead")
    return shift


def _within(instant: datetime | None, shift: Shift, field: str) -> datetime | None:
    if instant is None:
        return None
    at = _utc(instant)
    if not shift.start <= at <= shift.end:
        span = f"{shift.start:%Y-%m-%d %H:%M} to {shift.end:%Y-%m-%d %H:%M} UTC"
        raise Refused(f"{field}: {at:%Y-%m-%d %H:%M} UTC is outside {shift.person}'s shift ({span})")
    return at


def _write(
    connection: Connection,
    facts: ScheduleFacts,
    person: str,
    shift: Shift,
    starts_at: datetime,
    ends_at: datetime,
    kind: Kind,
    author: str,
    reason: str,
    now: datetime,
) -> int:
    """An override giving `person` [starts_at, ends_at) of `shift` (from now at the earliest). It replaces the
    shift's person when a layer gave them the shift; a shift that an override gave is taken whole-schedule,
    since `replaces` names whom the layers put on call."""
    replaces = shift.person if shift.layer is not None and shift.person in facts.rotations else None
    row = NewRow(facts.id, person, replaces, max(starts_at, now), ends_at, kind, author, reason, now)
    return store.add(connection, row)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise Refused("give instants with a UTC offset, such as 2026-12-01T09:30:00Z")
    return instant.astimezone(UTC)

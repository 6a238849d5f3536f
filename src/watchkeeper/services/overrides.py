"""Overrides as people make them through the API, the CLI and the console: someone covers a period of a schedule,
for one person of its rotations or for the whole schedule. Checked against the catalog, stored, listed, removed.
Swaps and covers, which start from a shift, are in `services.swaps`.

An override takes effect from when it is made at the earliest: a start in the past is moved to now, since who was
on call then (and was paged) cannot change. Removing one ends it now and keeps it as history (ADR 0033)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import get_close_matches
from typing import Any

from sqlalchemy import Connection, RowMapping

from watchkeeper.catalog.teams import Schedule
from watchkeeper.catalog.types import is_valid_id
from watchkeeper.domain.keyset import Key, Page
from watchkeeper.domain.oncall import Override, shifts
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.ownership import require_member
from watchkeeper.services.periods import checked_period
from watchkeeper.services.refusals import Conflict, NotFound, Refused, person_text
from watchkeeper.services.rotas import rota_of
from watchkeeper.store import Database
from watchkeeper.store import overrides as store
from watchkeeper.store.contention import lock_keys
from watchkeeper.store.overrides import Kind, Listing, NewRow, OverrideFilter

AUTHOR_LIMIT = 200
REASON_LIMIT = 2000


@dataclass(frozen=True)
class OverrideView:
    id: int
    schedule_id: str
    person_id: str
    person_name: str | None
    """None when the person has left the catalog (the override then applies to nobody)."""
    replaces: str | None
    """Whose turns are taken; None for the whole schedule."""
    replaces_name: str | None
    starts_at: datetime
    ends_at: datetime
    """The planned end; `removed_at` says when it was ended early."""
    kind: Kind
    swap_with: int | None
    author: str
    reason: str
    created_at: datetime
    removed_at: datetime | None
    removed_by: str | None
    state: str
    """scheduled, active, ended or removed."""
    applied: bool
    """False when its schedule or its person is no longer in the catalog: kept, but on nobody's calendar."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schedule": self.schedule_id,
            "person": self.person_id,
            "person_name": self.person_name,
            "replaces": self.replaces,
            "replaces_name": self.replaces_name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "kind": self.kind,
            "swap_with": self.swap_with,
            "author": self.author,
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "removed_by": self.removed_by,
            "state": self.state,
            "applied": self.applied,
        }


@dataclass(frozen=True)
class NewOverride:
    schedule_id: str
    person: str
    """Who is on call instead: any person of the catalog, of any team."""
    reason: str
    replaces: str | None = None
    """A person of the schedule's rotations, whose turns `person` takes; None for the whole schedule."""
    starts_at: datetime | None = None
    """Now, when not given (or when given in the past)."""
    ends_at: datetime | None = None
    duration: timedelta | None = None
    """Either an end or a length from the start."""


@dataclass(frozen=True)
class ScheduleFacts:
    """What overrides check a schedule against."""

    id: str
    team_id: str
    name: str | None
    timezone: str
    spec: dict[str, Any]
    rotations: tuple[str, ...]
    """Everyone in any layer's rotation, in the order they first appear."""

    @property
    def title(self) -> str:
        return self.name or self.id

    @property
    def schedule(self) -> Schedule:
        return Schedule.model_validate(self.spec, strict=False)


def create_override(db: Database, now: datetime, new: NewOverride, actor: Actor) -> OverrideView:
    """Made by a member of the schedule's team (or a platform admin)."""
    author = person_text(actor.name, "author", AUTHOR_LIMIT)
    reason = person_text(new.reason, "reason", REASON_LIMIT)
    starts_at, ends_at = checked_period(now, new.starts_at, new.ends_at, new.duration)
    with db.transaction() as connection:
        facts = known_schedule(connection, new.schedule_id)
        require_member(actor, [facts.team_id], f"schedule {facts.id}")
        people = store.people(connection)
        person = known_person(people, new.person, "person")
        replaces = checked_replaces(facts, new.replaces, person)
        if replaces is not None:
            _replaces_someone_on_call(facts, replaces, max(starts_at, now), ends_at)
        lock_keys(connection, [f"overrides:{facts.id}"])
        row = NewRow(facts.id, person, replaces, max(starts_at, now), ends_at, "override", author, reason, now)
        made = store.get(connection, store.add(connection, row))
        assert made is not None
        view = _view(made, now, people, True)
        audited(connection, actor, now, "override.create", facts.team_id, [view])
    return view


def audited(
    connection: Connection, actor: Actor, now: datetime, action: str, team: str, made: list[OverrideView]
) -> None:
    """One audit entry for each override written (a swap writes two)."""
    for view in made:
        record(connection, actor, now, action, ("override", str(view.id)), team, after=view.as_json())


def list_overrides(
    db: Database, now: datetime, schedule_id: str | None = None, which: Listing = "current"
) -> list[OverrideView]:
    return override_page(db, now, which, OverrideFilter(schedule_id), None, 500).items


def override_page(
    db: Database,
    now: datetime,
    which: Listing,
    given: OverrideFilter,
    after: Key | None,
    limit: int,
    known: bool = True,
) -> Page[OverrideView]:
    """A page of overrides. With `known`, a schedule asked for by id must be in the catalog or have overrides
    still kept (a 404 otherwise); as a mere filter, an unknown one selects nothing."""
    with db.reading() as connection:
        schedule_id = given.schedule_id
        gone = known and schedule_id is not None and store.schedule(connection, schedule_id) is None
        if gone and not store.listed(connection, now, "all", schedule_id, limit=1):
            known_schedule(connection, str(schedule_id))  # raises, naming the closest
        found = store.page(connection, now, which, given, after, limit)
        return Page(views(connection, found.items, now), found.next)


def get_override(db: Database, now: datetime, override_id: int) -> OverrideView:
    with db.reading() as connection:
        row = store.get(connection, override_id)
        if row is None:
            raise NotFound(f"no override {override_id}")
        return views(connection, [row], now)[0]


def remove_override(db: Database, now: datetime, override_id: int, actor: Actor) -> list[OverrideView]:
    """Ends the override now, and the other half of its swap with it; the removed ones, as they are now."""
    who = person_text(actor.name, "the name of who removes it", AUTHOR_LIMIT)
    with db.transaction() as connection:
        row = store.get(connection, override_id)
        if row is None:
            raise NotFound(f"no override {override_id}")
        schedule = store.schedule(connection, row["schedule_id"])
        team = schedule["team_id"] if schedule is not None else None
        require_member(actor, [team], f"override {override_id}")
        lock_keys(connection, [f"overrides:{row['schedule_id']}"])
        together = [override_id] + ([row["swap_with"]] if row["swap_with"] is not None else [])
        if store.remove(connection, together, now, who) == 0:
            raise Conflict(f"override {override_id} has already ended")
        rows = [found for found in (store.get(connection, i) for i in together) if found is not None]
        removed = views(connection, rows, now)
        for view in removed:
            obj = ("override", str(view.id))
            record(connection, actor, now, "override.remove", obj, team, after=view.as_json())
        return removed


def views(connection: Connection, rows: list[RowMapping], now: datetime) -> list[OverrideView]:
    people = store.people(connection)
    in_catalog = {row["id"] for row in store.schedules(connection)}
    return [_view(row, now, people, row["schedule_id"] in in_catalog) for row in rows]


def _view(row: RowMapping, now: datetime, people: dict[str, str], schedule_known: bool) -> OverrideView:
    return OverrideView(
        id=row["id"],
        schedule_id=row["schedule_id"],
        person_id=row["person_id"],
        person_name=people.get(row["person_id"]),
        replaces=row["replaces"],
        replaces_name=people.get(row["replaces"]) if row["replaces"] else None,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        kind=row["kind"],
        swap_with=row["swap_with"],
        author=row["author"],
        reason=row["reason"],
        created_at=row["created_at"],
        removed_at=row["removed_at"],
        removed_by=row["removed_by"],
        state=_state(row, now),
        applied=schedule_known and row["person_id"] in people,
    )


def _state(row: RowMapping, now: datetime) -> str:
    removed = row["removed_at"]
    if removed is not None and removed <= now:
        return "removed"
    if now >= row["ends_at"]:
        return "ended"
    return "active" if now >= row["starts_at"] else "scheduled"


def known_schedule(connection: Connection, schedule_id: str) -> ScheduleFacts:
    row = store.schedule(connection, schedule_id) if is_valid_id(schedule_id) else None  # no NUL reaches SQL
    if row is None:
        known = [found["id"] for found in store.schedules(connection)]
        raise NotFound(_unknown("schedule", schedule_id, known))
    rotations: dict[str, None] = {}
    for layer in row["spec"].get("layers", []):
        rotations.update(dict.fromkeys(layer.get("rotation", [])))
    return ScheduleFacts(row["id"], row["team_id"], row["name"], row["timezone"], row["spec"], tuple(rotations))


def known_person(people: dict[str, str], person_id: str, field: str) -> str:
    cleaned = person_id.strip()
    if cleaned not in people:
        raise Refused(f"{field}: " + _unknown("person", cleaned, list(people)))
    return cleaned


def checked_replaces(facts: ScheduleFacts, replaces: str | None, person: str) -> str | None:
    if replaces is None or not replaces.strip():
        return None
    cleaned = replaces.strip()
    if cleaned not in facts.rotations:
        choices = ", ".join(facts.rotations)
        raise Refused(
            f"replaces: {cleaned!r} is not in the rotations of schedule {facts.id} ({choices}); "
            "leave it out to cover the whole schedule"
        )
    if cleaned == person:
        raise Refused(f"replaces: {person} cannot cover their own turns; choose someone else to cover them")
    return cleaned


def _replaces_someone_on_call(facts: ScheduleFacts, replaces: str, start: datetime, end: datetime) -> None:
    """An override that covers someone's turns only where the layers put them on call: refused when they have
    none in its period, since it would change nothing and its author would think them covered."""
    layered = shifts(rota_of(facts.schedule), (), start, end)
    if not any(shift.person == replaces for shift in layered):
        raise Refused(
            f"replaces: {replaces} is not on call for schedule {facts.id} at any time in that period, so the "
            "override would change nothing; check the dates, or leave replaces out to cover the whole schedule"
        )


def _unknown(kind: str, given: str, known: list[str]) -> str:
    close = get_close_matches(given, known, n=3)
    if close:
        return f"no {kind} {given!r} in the catalog (did you mean {' or '.join(close)}?)"
    if not known:
        return f"no {kind} {given!r}: the catalog in force declares none"
    return f"no {kind} {given!r} in the catalog"


def applied_overrides(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> list[Override]:
    """The overrides of a schedule over [start, end) as the on-call maths take them: oldest first, so that the
    newest wins where two apply; a removed one ends when it was removed."""
    found = []
    for row in store.applying(connection, schedule_id, start, end):
        removed = row["removed_at"]
        ends = row["ends_at"] if removed is None else min(row["ends_at"], removed)
        found.append(Override(row["starts_at"], ends, row["person_id"], row["replaces"]))
    return found


def covering_people(connection: Connection, schedule_ids: list[str]) -> set[str]:
    """Who covers in any override of these schedules, so that answers can name them."""
    return store.covering(connection, schedule_ids)

"""Telling people of their shifts: when one starts and ends, and when a change (an override, a swap, a catalog
edit) moves their shifts in the 14 days ahead (ADR 0036).

Each pass compares each schedule's shifts now with the snapshot people were last told of, rather than hooking
every way a rota can change: whatever changed it, whoever's shifts differ is told once. Starts and ends are the
shift boundaries passed since the last pass (kept as a cursor), at most an hour back, so an engine that was
stopped for a day does not send a day of stale notices.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.channels import Message
from watchkeeper.domain.oncall import Shift
from watchkeeper.services import oncall
from watchkeeper.services.outbox import Outbox, enqueue, idempotency_key
from watchkeeper.store import Database
from watchkeeper.store import schedules as schedule_store
from watchkeeper.store import tables as t

CURSOR = "shift-notices"
AHEAD = timedelta(days=14)
LOOK_BACK = timedelta(hours=1)
Span = tuple[str, datetime, datetime]  # person, start, end


def send_due(db: Database, now: datetime, outbox: Outbox) -> int:
    """Tells of every shift start, end and change since the last pass; returns the notifications written."""
    with db.transaction() as connection:
        last = _cursor(connection, now)
        since = max(last, now - LOOK_BACK) if last is not None else None
        written = 0
        kept: list[str] = []
        for stored in schedule_store.schedules(connection):
            schedule_id = stored.schedule.id
            kept.append(schedule_id)
            spans = _spans(connection, schedule_id, since or now, now + AHEAD)
            if spans is None:
                continue
            notices = _notices(connection, schedule_id, spans, since, now) if since is not None else []
            for person, title in notices:
                written += _tell(connection, stored.team_id, person, title, now, outbox)
            _snapshot(connection, schedule_id, [s for s in spans if s[2] > now], now)
        connection.execute(delete(t.schedule_snapshots).where(t.schedule_snapshots.c.schedule_id.not_in(kept)))
        return written


def _notices(
    connection: Connection, schedule_id: str, spans: list[Span], since: datetime, now: datetime
) -> list[tuple[str, str]]:
    stored = schedule_store.schedule(connection, schedule_id)
    assert stored is not None
    name = stored.schedule.name or schedule_id
    zone = ZoneInfo(stored.schedule.timezone)
    found: list[tuple[str, str]] = []
    for person, start, end in spans:
        if since < start <= now:
            found.append((person, f"Your on-call shift for {name} starts now, until {_local(end, zone)}"))
        if since < end <= now:
            found.append((person, f"Your on-call shift for {name} has ended"))
    found.extend(_changes(connection, schedule_id, name, zone, spans, now))
    return found


def _changes(
    connection: Connection, schedule_id: str, name: str, zone: ZoneInfo, spans: list[Span], now: datetime
) -> list[tuple[str, str]]:
    """A notice for each person whose shifts ahead differ from the ones they were last told of, compared over
    the time both cover (the window slides on; shifts coming into view at its far end are not changes)."""
    snapshot = (
        connection.execute(select(t.schedule_snapshots).where(t.schedule_snapshots.c.schedule_id == schedule_id))
        .mappings()
        .first()
    )
    if snapshot is None:
        return []
    until = min(snapshot["until"], now + AHEAD)
    before = _clip(_read(snapshot["shifts"]), now, until)
    after = _clip(spans, now, until)
    found = []
    for person in sorted({p for p, _, _ in before} | {p for p, _, _ in after}):
        had = [s for s in before if s[0] == person]
        has = [s for s in after if s[0] == person]
        gained, lost = _minus(has, had), _minus(had, has)
        if gained or lost:
            found.append((person, _change_title(name, zone, gained, lost)))
    return found


def _minus(spans: Sequence[Span], taken: Sequence[Span]) -> list[Span]:
    """The time in `spans` that `taken` does not cover: what a person gained or lost, not the shifts it split."""
    left: list[Span] = []
    for person, start, end in spans:
        pieces = [(start, end)]
        for _, cut_start, cut_end in taken:
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, cut_start)), (max(s, cut_end), e))
                if piece[0] < piece[1]
            ]
        left.extend((person, s, e) for s, e in pieces)
    return left


def _change_title(name: str, zone: ZoneInfo, gained: Sequence[Span], lost: Sequence[Span]) -> str:
    parts = []
    if gained:
        parts.append("now on call " + _list(gained, zone))
    if lost:
        parts.append("no longer on call " + _list(lost, zone))
    return f"Your on-call shifts for {name} changed: {'; '.join(parts)}"


def _list(spans: Sequence[Span], zone: ZoneInfo) -> str:
    shown = [f"{_local(start, zone)} to {_local(end, zone)}" for _, start, end in spans[:3]]
    more = f" and {len(spans) - 3} more" if len(spans) > 3 else ""
    return ", ".join(shown) + more


def _spans(connection: Connection, schedule_id: str, start: datetime, end: datetime) -> list[Span] | None:
    """The schedule's shifts over [start, end), a person's touching pieces joined (an override that hands a
    shift to the person already on call changes nothing for them)."""
    found = oncall.final_shifts(connection, schedule_id, start, end)
    return None if found is None else _joined(found)


def _joined(shifts: Iterable[Shift]) -> list[Span]:
    spans: list[Span] = []
    for shift in shifts:
        if spans and spans[-1][0] == shift.person and spans[-1][2] == shift.start:
            spans[-1] = (shift.person, spans[-1][1], shift.end)
        else:
            spans.append((shift.person, shift.start, shift.end))
    return spans


def _clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    return [(p, max(s, start), min(e, end)) for p, s, e in spans if s < end and e > start]


def _snapshot(connection: Connection, schedule_id: str, spans: list[Span], now: datetime) -> None:
    values = {
        "schedule_id": schedule_id,
        "taken_at": now,
        "until": now + AHEAD,
        "shifts": [[p, s.isoformat(), e.isoformat()] for p, s, e in spans],
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(t.schedule_snapshots).values(**values)
    changed = {key: value for key, value in values.items() if key != "schedule_id"}
    connection.execute(statement.on_conflict_do_update(index_elements=["schedule_id"], set_=changed))


def _read(stored: list[list[str]]) -> list[Span]:
    return [(p, datetime.fromisoformat(s), datetime.fromisoformat(e)) for p, s, e in stored]


def _tell(connection: Connection, team_id: str, person: str, title: str, now: datetime, outbox: Outbox) -> int:
    ways = [("inbox", "inbox")] + ([("email", "email")] if outbox.reach.email else [])
    for way, channel_type in ways:
        message = Message(
            idempotency_key=idempotency_key(),
            team_id=team_id,
            channel_id=f"person:{person}/{way}",
            action="trigger",
            severity="info",
            title=title,
            alerts=(),
            created_at=now,
        )
        enqueue(connection, message, channel_type, None, [], now, outbox)
    return len(ways)


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%a %d %b %H:%M %Z")


def _cursor(connection: Connection, now: datetime) -> datetime | None:
    """Where the last pass stopped; None the first time (shifts already under way are not news)."""
    position = connection.execute(select(t.cursors.c.position).where(t.cursors.c.name == CURSOR)).scalar()
    millis = int(now.timestamp() * 1000)
    if position is None:
        connection.execute(insert(t.cursors).values(name=CURSOR, position=millis))
        return None
    connection.execute(update(t.cursors).where(t.cursors.c.name == CURSOR).values(position=millis))
    return datetime.fromtimestamp(position / 1000, UTC)

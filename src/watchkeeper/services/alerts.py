"""Receiving signals: each is applied to the open alert with its key, in one transaction with its events (and,
through `pipeline`, with the suppression, route and group decisions that follow), so a sender is answered only
once all of it is stored."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping

from watchkeeper.domain import alerts as domain
from watchkeeper.domain.alerts import Applied, Signal
from watchkeeper.services import pipeline
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store.alerts import Owner
from watchkeeper.store.contention import in_transaction


@dataclass(frozen=True)
class Received:
    """What one signal did, for the sender's answer."""

    signal: Signal
    applied: Applied
    alert_id: int | None


Item = tuple[Signal, datetime, Owner | None]
"""A signal, when it happened, and its owner when the caller already knows it."""


def receive(db: Database, signals: Sequence[Signal], now: datetime) -> list[Received]:
    """Applies `signals` in order, all in one transaction: all of them are stored or none. Two first triggers
    of one key racing on PostgreSQL meet the unique index of open alerts, or two writers deadlock: the loser
    runs again, and finds the winner's alert (Contended when it keeps losing; see store.contention)."""
    return in_transaction(db, lambda connection: receive_many(connection, [(signal, now, None) for signal in signals]))


def receive_one(connection: Connection, signal: Signal, now: datetime, owner: Owner | None = None) -> Received:
    """One signal, inside the caller's transaction."""
    [received] = receive_many(connection, [(signal, now, owner)])
    return received


@dataclass
class _Touched:
    """An alert a batch opens or changes, as it stands after the signals so far."""

    id: int | None
    """None until a new alert is stored."""
    row: dict[str, Any]
    alert: domain.Alert
    changed: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)


def receive_many(connection: Connection, items: Sequence[Item]) -> list[Received]:
    """Signals in order, inside the caller's transaction. A storm's signals come as one batch: the open alerts
    are read (and locked) in one statement, events written in one, and each group marked once, so a new alert
    costs about two statements (its insert and the look for a failing dependency)."""
    batch = _Batch(connection, {signal.dedup_key for signal, _, _ in items})
    outcomes = [batch.apply(signal, at, owner) for signal, at, owner in items]
    batch.write()
    return [Received(signal, applied, touched.id if touched else None) for signal, applied, touched in outcomes]


class _Batch:
    def __init__(self, connection: Connection, keys: set[str]) -> None:
        self.connection = connection
        self.open = {row["dedup_key"]: _existing(row) for row in store.find_open_many(connection, keys)}
        self.touched: list[_Touched] = []
        self.marks: dict[str, tuple[Mapping[str, Any], datetime]] = {}

    def apply(self, signal: Signal, at: datetime, owner: Owner | None) -> tuple[Signal, Applied, _Touched | None]:
        current = self.open.get(signal.dedup_key)
        applied = domain.apply(current.alert if current else None, signal, at)
        if applied.outcome == "ignored" or applied.alert is None:
            return signal, applied, current
        if applied.outcome == "opened":
            return self._open(signal, applied, owner or _owner(self.connection, signal), at)
        assert current is not None
        changes = _changes(applied, signal)
        current.alert = applied.alert
        current.row.update(changes)
        current.changed.update(changes)
        current.events.append(_event(at, applied.outcome, _event_message(applied, signal), signal.actor))
        self._touch(current)
        if applied.outcome == "resolved":
            del self.open[signal.dedup_key]  # a later trigger in the batch opens a new alert
        row = current.row
        told = applied.outcome in ("acknowledged", "resolved") and row["suppressed_by"] is None
        if told and row["group_key"] is not None and row["route"] is not None:
            self._mark(row["group_key"], row["route"], at)
        return signal, applied, current

    def _open(
        self, signal: Signal, applied: Applied, owner: Owner | None, at: datetime
    ) -> tuple[Signal, Applied, _Touched | None]:
        if owner is None:
            ignored = Applied("ignored", None, f"{signal.subject.kind} {signal.subject.id} is not in the catalog")
            return signal, ignored, None
        assert applied.alert is not None
        values = store.new_alert(applied.alert, signal, owner)
        placed = pipeline.place(self.connection, values, at)
        row = {**values, **placed.columns}
        # Stored at once, not with the rest: a later alert of the batch may find it as the failing dependency.
        touched = _Touched(store.insert_alert(self.connection, row), row, applied.alert)
        touched.events.append(_event(at, "opened", _event_message(applied, signal), signal.actor))
        touched.events.extend(_event(at, kind, text, None) for kind, text in placed.events)
        self.touched.append(touched)
        self.open[signal.dedup_key] = touched
        if placed.choice is not None:
            self._mark(placed.choice.group_key, placed.columns["route"], at)
        return signal, applied, touched

    def _mark(self, group_key: str, route: Mapping[str, Any], at: datetime) -> None:
        """The group changed; its wait runs from its earliest change in the batch, as it would one by one."""
        if group_key not in self.marks or at < self.marks[group_key][1]:
            self.marks[group_key] = (route, at)

    def _touch(self, touched: _Touched) -> None:
        if not any(t is touched for t in self.touched):
            self.touched.append(touched)

    def write(self) -> None:
        for touched in self.touched:
            if touched.changed:
                assert touched.id is not None
                store.change(self.connection, touched.id, **touched.changed)
        events = [{**event, "alert_id": touched.id} for touched in self.touched for event in touched.events]
        store.add_event_rows(self.connection, events)
        for group_key, (route, at) in self.marks.items():
            pipeline.mark_changed(self.connection, group_key, route, at)


def _existing(row: RowMapping) -> _Touched:
    return _Touched(row["id"], dict(row), store.alert_from_row(row))


def _event(at: datetime, kind: str, message: str, actor: str | None) -> dict[str, Any]:
    return {"at": at, "kind": kind, "message": message, "actor": actor, "data": None}


def _changes(applied: Applied, signal: Signal) -> dict[str, object]:
    alert = applied.alert
    assert alert is not None
    values: dict[str, object] = {"status": alert.status, "updated_at": alert.updated_at}
    if applied.outcome == "occurred":
        values |= {"occurrences": alert.occurrences, "summary": domain.shorten(signal.summary, domain.SUMMARY_LIMIT)}
    elif applied.outcome == "acknowledged":
        values |= {"acknowledged_at": alert.acknowledged_at, "acknowledged_by": signal.actor}
    elif applied.outcome == "resolved":
        values |= {"resolved_at": alert.resolved_at, "resolved_by": signal.actor}
    return values


def _event_message(applied: Applied, signal: Signal) -> str:
    """What happened, in words; who did it is the event's actor, shown beside it."""
    if applied.outcome == "opened":
        return f"opened from {signal.source}: {domain.shorten(signal.summary, 300)}"
    if applied.outcome == "occurred":
        return f"occurred again ({applied.alert.occurrences if applied.alert else '?'} times)"
    return f"{applied.outcome} from {signal.source}" + (
        f": {domain.shorten(signal.summary, 300)}" if signal.summary else ""
    )


def _owner(connection: Connection, signal: Signal) -> Owner | None:
    subject = signal.subject
    if subject.kind == "check":
        return store.owner_of_check(connection, subject.id)
    if subject.kind == "service":
        return store.owner_of_service(connection, subject.id)
    if subject.kind == "platform":
        return store.owner_of_platform(connection, subject.id)
    return Owner(subject.id) if store.team_exists(connection, subject.id) else None

"""Receiving signals: each is applied to the open alert with its key, in one transaction with its events (and,
through `pipeline`, with the suppression, route and group decisions that follow), so a sender is answered only
once all of it is stored."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from watchkeeper.domain import alerts as domain
from watchkeeper.domain.alerts import Applied, Signal
from watchkeeper.services import pipeline
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store.alerts import Owner


@dataclass(frozen=True)
class Received:
    """What one signal did, for the sender's answer."""

    signal: Signal
    applied: Applied
    alert_id: int | None


def receive(db: Database, signals: Sequence[Signal], now: datetime) -> list[Received]:
    """Applies `signals` in order, all in one transaction: all of them are stored or none. Two first triggers
    of one key racing on PostgreSQL meet the unique index of open alerts: the loser runs again, and finds the
    winner's alert."""
    for attempt in (1, 2):
        try:
            with db.transaction() as connection:
                return [receive_one(connection, signal, now) for signal in signals]
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def receive_one(connection: Connection, signal: Signal, now: datetime, owner: Owner | None = None) -> Received:
    """One signal, inside the caller's transaction. `owner`, when the caller knows it, saves looking it up."""
    row = store.find_open(connection, signal.dedup_key)
    current = store.alert_from_row(row) if row is not None else None
    applied = domain.apply(current, signal, now)
    if applied.outcome == "ignored" or applied.alert is None:
        return Received(signal, applied, current.id if current else None)
    if applied.outcome == "opened":
        return _open(connection, signal, applied, owner or _owner(connection, signal), now)
    assert row is not None
    store.change(connection, row["id"], **_changes(applied, signal))
    store.add_event(connection, row["id"], now, applied.outcome, _event_message(applied, signal), signal.actor)
    told = applied.outcome in ("acknowledged", "resolved") and row["suppressed_by"] is None
    if told and row["group_key"] is not None and row["route"] is not None:
        pipeline.mark_changed(connection, row["group_key"], row["route"], now)
    return Received(signal, applied, row["id"])


def _open(connection: Connection, signal: Signal, applied: Applied, owner: Owner | None, now: datetime) -> Received:
    if owner is None:
        ignored = Applied("ignored", None, f"{signal.subject.kind} {signal.subject.id} is not in the catalog")
        return Received(signal, ignored, None)
    assert applied.alert is not None
    values = store.new_alert(applied.alert, signal, owner)
    placed = pipeline.place(connection, values, now)
    alert_id = store.insert_alert(connection, {**values, **placed.columns})
    opened = (applied.outcome, _event_message(applied, signal), signal.actor)
    store.add_events(connection, alert_id, now, [opened, *((kind, text, None) for kind, text in placed.events)])
    if placed.choice is not None:
        pipeline.mark_changed(connection, placed.choice.group_key, placed.columns["route"], now)
    return Received(signal, applied, alert_id)


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
    who = f" by {signal.actor}" if signal.actor else ""
    if applied.outcome == "opened":
        return f"opened from {signal.source}: {domain.shorten(signal.summary, 300)}"
    if applied.outcome == "occurred":
        return f"occurred again ({applied.alert.occurrences if applied.alert else '?'} times)"
    return f"{applied.outcome}{who}" + (f": {domain.shorten(signal.summary, 300)}" if signal.summary else "")


def _owner(connection: Connection, signal: Signal) -> Owner | None:
    subject = signal.subject
    if subject.kind == "check":
        return store.owner_of_check(connection, subject.id)
    if subject.kind == "service":
        return store.owner_of_service(connection, subject.id)
    if subject.kind == "platform":
        return store.owner_of_platform(connection, subject.id)
    return Owner(subject.id) if store.team_exists(connection, subject.id) else None

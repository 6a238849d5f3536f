"""Receiving signals: each is applied to the open alert with its key, in one transaction with its events (and,
through `pipeline`, with the suppression, route and group decisions that follow), so a sender is answered only
once all of it is stored."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

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
    """Applies `signals` in order, all in one transaction: all of them are stored or none."""
    with db.transaction() as connection:
        return [receive_one(connection, signal, now) for signal in signals]


def receive_one(connection: Connection, signal: Signal, now: datetime) -> Received:
    row = store.find_open(connection, signal.dedup_key)
    current = store.alert_from_row(row) if row is not None else None
    applied = domain.apply(current, signal, now)
    if applied.outcome == "ignored" or applied.alert is None:
        return Received(signal, applied, current.id if current else None)
    if applied.outcome == "opened":
        owner = _owner(connection, signal)
        if owner is None:
            ignored = Applied("ignored", None, f"{signal.subject.kind} {signal.subject.id} is not in the catalog")
            return Received(signal, ignored, None)
        alert_id = store.open_alert(connection, applied.alert, signal, owner)
    else:
        assert current is not None
        alert_id = current.id
        store.change(connection, alert_id, **_changes(applied, signal))
    store.add_event(connection, alert_id, now, applied.outcome, _event_message(applied, signal), signal.actor)
    pipeline.after_change(connection, alert_id, applied.outcome, now)
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

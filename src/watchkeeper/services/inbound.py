"""Applying what an inbound integration sent: each signal's subject settled against the catalog, then the
signals received (services.alerts) in one transaction, so the sender is answered only once they are stored.

Inbound requests are the alerts' only concurrent writers (the check duty runs under a lease), so this is where
they are kept from losing each other's changes: on PostgreSQL a batch first takes the lock of each key it sends
(store.contention), so the writers of one alert go one after another.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, select

from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.integrations import Inbound
from watchkeeper.services import alerts
from watchkeeper.services.alerts import Received
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.contention import in_transaction, lock_keys


def accept(db: Database, inbounds: Sequence[Inbound], now: datetime) -> list[Received]:
    """Stores every signal or none. On PostgreSQL the batch holds its keys' locks, so two requests about one
    alert apply one after the other (a trigger cannot miss the alert another is opening, nor a resolve the one
    it closes); a batch that still loses a race to another writer (a deadlock with a person acknowledging by
    hand, say) runs again a few times, then Contended, and the sender is told to retry. (SQLite runs one writer
    at a time and needs none of it.)"""

    def store(connection: Connection) -> list[Received]:
        lock_keys(connection, [inbound.signal.dedup_key for inbound in inbounds])
        signals = settle(connection, inbounds)
        return alerts.receive_many(connection, [(signal, now, None) for signal in signals])

    return in_transaction(db, store)


def settle(connection: Connection, inbounds: Sequence[Inbound]) -> list[Signal]:
    """Each signal about the first service or platform it names that the catalog holds, else about its
    integration's team, with a note in its details when what it named is not in the catalog."""
    known = _known(connection, [subject for inbound in inbounds for subject in inbound.named])
    return [_settled(inbound, known) for inbound in inbounds]


def _settled(inbound: Inbound, known: set[Subject]) -> Signal:
    signal = inbound.signal
    for subject in inbound.named:
        if subject in known:
            return replace(signal, subject=subject)
    if not inbound.named:
        return signal
    named = " or ".join(f"{subject.kind} {subject.id!r}" for subject in inbound.named)
    note = f"{named} is not in the catalog: the alert belongs to team {signal.subject.id}"
    return replace(signal, details={**signal.details, "subject_note": note})


def _known(connection: Connection, named: list[Subject]) -> set[Subject]:
    found: set[Subject] = set()
    for kind, table in (("service", t.services), ("platform", t.platforms)):
        ids = {subject.id for subject in named if subject.kind == kind}
        if ids:
            rows = connection.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars()
            found |= {Subject(kind, found_id) for found_id in rows}  # type: ignore[arg-type]
    return found

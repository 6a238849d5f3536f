"""Applying what an inbound integration sent: each signal's subject settled against the catalog, then the
signals received (services.alerts) in one transaction, so the sender is answered only once they are stored.

Inbound requests are the alerts' only concurrent writers (the check duty runs under a lease), so this is where
they are kept from losing each other's changes: the open alerts a batch will change are locked first.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.integrations import Inbound
from watchkeeper.services import alerts
from watchkeeper.services.alerts import Received
from watchkeeper.store import Database
from watchkeeper.store import tables as t


def accept(db: Database, inbounds: Sequence[Inbound], now: datetime) -> list[Received]:
    """Stores every signal or none. The batch locks the open alerts it changes, so on PostgreSQL two requests
    changing one alert apply one after the other; two first triggers of one key racing meet the unique index of
    open alerts instead, and the loser runs again and finds the winner's alert. (SQLite runs one writer at a
    time and needs neither.)"""
    for attempt in (1, 2):
        try:
            with db.transaction() as connection:
                signals = settle(connection, inbounds)
                return alerts.receive_many(connection, [(signal, now, None) for signal in signals])
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


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

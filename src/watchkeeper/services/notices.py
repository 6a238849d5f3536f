"""Start and end notices of maintenance windows that `announce`: when one begins or ends, the teams that own
what it covers are told through the route their `info` alerts take, so nobody mistakes planned work for an
outage and everybody knows when alerts are heard again."""

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from watchkeeper.channels import Message
from watchkeeper.domain import routing
from watchkeeper.domain.maintenance import Edge, Occurrence, transitions
from watchkeeper.domain.routing import Facts
from watchkeeper.services import calendar
from watchkeeper.services.outbox import Outbox, enqueue, idempotency_key
from watchkeeper.services.pipeline import routing_book
from watchkeeper.services.suppression import all_windows
from watchkeeper.store import Database
from watchkeeper.store import alerts as owners
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t

CURSOR = "maintenance-notices"
"""Its position is the instant (Unix milliseconds) up to which windows' starts and ends have been told."""


def send_due(db: Database, now: datetime, outbox: Outbox) -> int:
    """Writes the notices of every start and end since the last pass; returns how many notifications."""
    with db.transaction() as connection:
        since = _since(connection, now)
        if since is None or since >= now:
            return 0
        windows = [window for window in all_windows(connection, since) if window.announce]
        written = sum(
            _notify(connection, occurrence, edge, now, outbox) for occurrence, edge in transitions(windows, since, now)
        )
        _move(connection, now)
        return written


def _notify(connection: Connection, occurrence: Occurrence, edge: Edge, now: datetime, outbox: Outbox) -> int:
    """One notice to each channel the owning teams' info routes name: two teams that share a channel (an
    operations room) put one notice there, not two."""
    view = routing_book(connection)
    org = view.organisation
    channels: dict[str, tuple[str, str]] = {}  # channel -> (its type, the first team that named it)
    for team in sorted(_teams(connection, occurrence)):
        facts = Facts(team, "info", "maintenance", None, None, None, {}, calendar.in_hours(org, now))
        types = book.channel_types(connection, routing.channel_targets(view.route(facts).targets))
        for channel_id, channel_type in types.items():
            channels.setdefault(channel_id, (channel_type, team))
    for channel_id, (channel_type, team) in sorted(channels.items()):
        enqueue(connection, _message(occurrence, edge, team, channel_id, now), channel_type, None, [], now, outbox)
    return len(channels)


def _teams(connection: Connection, occurrence: Occurrence) -> set[str]:
    """The teams that own what the window covers."""
    scope = occurrence.window.scope
    found = [owners.owner_of_service(connection, s) for s in scope.services]
    found += [owners.owner_of_platform(connection, p) for p in scope.platforms]
    found += [owners.owner_of_check(connection, c) for c in scope.checks]
    return {owner.team_id for owner in found if owner is not None}


def _message(occurrence: Occurrence, edge: Edge, team: str, channel_id: str, now: datetime) -> Message:
    window = occurrence.window
    covers = _covers(window.scope.platforms, window.scope.services, window.scope.checks)
    if edge == "start":
        title = f"Maintenance started: {window.name} ({covers}), until {occurrence.ends_at:%Y-%m-%d %H:%M} UTC"
    else:
        title = f"Maintenance ended: {window.name} ({covers}); alerts are notified again"
    return Message(
        idempotency_key=idempotency_key(),
        team_id=team,
        channel_id=channel_id,
        action="trigger" if edge == "start" else "resolve",
        severity="info",
        title=title,
        alerts=(),
        created_at=now,
    )


def _covers(platforms: Iterable[str], services: Iterable[str], checks: Iterable[str]) -> str:
    parts = [
        f"{kind} {', '.join(sorted(ids))}"
        for kind, ids in (("platform", platforms), ("service", services), ("check", checks))
        if ids
    ]
    return "; ".join(parts) or "nothing in the catalog"


def _since(connection: Connection, now: datetime) -> datetime | None:
    """Where the last pass stopped; None the first time (windows that began before notices existed are not news)."""
    position = connection.execute(select(t.cursors.c.position).where(t.cursors.c.name == CURSOR)).scalar()
    if position is None:
        connection.execute(insert(t.cursors).values(name=CURSOR, position=_millis(now)))
        return None
    return datetime.fromtimestamp(position / 1000, UTC)


def _move(connection: Connection, now: datetime) -> None:
    connection.execute(update(t.cursors).where(t.cursors.c.name == CURSOR).values(position=_millis(now)))


def _millis(at: datetime) -> int:
    return int(at.timestamp() * 1000)

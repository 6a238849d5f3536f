"""The delivery log for the API: every attempt to deliver a notification, newest first, with the channel and the
alerts it was about. The notification's message is not read: nothing here can show a secret, and delivery details
are scrubbed of secrets before they are stored (channels.http)."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, select

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.store import tables as t
from watchkeeper.store.keyset import paged, rows_page

_d, _n, _na = t.deliveries.c, t.notifications.c, t.notification_alerts.c


@dataclass(frozen=True)
class DeliveryFilter:
    alert: int | None = None
    channel: str | None = None
    outcome: str | None = None
    team: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def deliveries(connection: Connection, given: DeliveryFilter, after: Key | None, limit: int) -> Page[RowMapping]:
    query = _query()
    if given.alert is not None:
        about = select(_na.notification_id).where(_na.alert_id == given.alert)
        query = query.where(_n.id.in_(about))
    if given.channel is not None:
        query = query.where(_n.channel_id == given.channel)
    if given.outcome is not None:
        query = query.where(_d.outcome == given.outcome)
    if given.team is not None:
        query = query.where(_n.team_id == given.team)
    if given.since is not None:
        query = query.where(_d.at >= given.since)
    if given.until is not None:
        query = query.where(_d.at < given.until)
    found = connection.execute(paged(query, [(_d.at, True), (_d.id, True)], after, limit)).mappings().all()
    return rows_page(found, limit, lambda row: (row["at"], row["id"]))


def delivery(connection: Connection, delivery_id: int) -> RowMapping | None:
    return connection.execute(_query().where(_d.id == delivery_id)).mappings().first()


def alerts_of(connection: Connection, notification_ids: Sequence[int]) -> dict[int, list[int]]:
    """The alerts each notification was about, in order of id."""
    found: dict[int, list[int]] = defaultdict(list)
    if notification_ids:
        query = (
            select(_na.notification_id, _na.alert_id)
            .where(_na.notification_id.in_(sorted(set(notification_ids))))
            .order_by(_na.alert_id)
        )
        for notification_id, alert_id in connection.execute(query):
            found[notification_id].append(alert_id)
    return found


def _query() -> Select[Any]:
    joined = t.deliveries.join(t.notifications, _n.id == _d.notification_id)
    return select(
        _d.id,
        _d.at,
        _d.attempt,
        _d.outcome,
        _d.status_code,
        _d.latency_ms,
        _d.detail,
        _n.id.label("notification_id"),
        _n.team_id.label("team"),
        _n.channel_id,
        _n.channel_type,
        _n.action,
    ).select_from(joined)

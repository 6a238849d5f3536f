"""The delivery log as the API shows it: each attempt, its outcome and the alerts it was about, never a secret."""

from typing import Any

from sqlalchemy import RowMapping

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import delivery_log as store
from watchkeeper.store.delivery_log import DeliveryFilter


def deliveries(db: Database, given: DeliveryFilter, after: Key | None, limit: int) -> Page[dict[str, Any]]:
    with db.reading() as connection:
        found = store.deliveries(connection, given, after, limit)
        alerts = store.alerts_of(connection, [row["notification_id"] for row in found.items])
    return Page([_view(row, alerts) for row in found.items], found.next)


def delivery(db: Database, delivery_id: int) -> dict[str, Any]:
    with db.reading() as connection:
        row = store.delivery(connection, delivery_id)
        if row is None:
            raise NotFound(f"no delivery {delivery_id}")
        return _view(row, store.alerts_of(connection, [row["notification_id"]]))


def _view(row: RowMapping, alerts: dict[int, list[int]]) -> dict[str, Any]:
    return {**dict(row), "alerts": alerts.get(row["notification_id"], [])}

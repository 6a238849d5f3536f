"""The organisation's calendar as routing and suppression use it, read once a transaction: whether an instant is
in support hours (bank holidays included), and what maintenance window or silence covers an alert."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from watchkeeper.catalog.organisation import Organisation
from watchkeeper.domain.support_hours import SupportHours
from watchkeeper.domain.support_hours import in_hours as within
from watchkeeper.services.suppression import Suppression, facts_of, suppression_at

FRESH_FOR = timedelta(seconds=5)
"""How long the windows and silences read in a transaction serve later signals of the same transaction (a
pass replaying state changes of the last few seconds reads them once)."""


def in_hours(org: Organisation, at: datetime) -> bool:
    hours = org.support_hours
    return within(SupportHours(frozenset(hours.days), hours.start, hours.end, org.timezone, hours.bank_holidays), at)


def suppressed_by(connection: Connection, alert: Mapping[str, Any], at: datetime) -> str | None:
    """ "maintenance:<id>", "maintenance:runtime:<n>" or "silence:<n>" when one covers the alert at `at`."""
    return _suppression(connection, at).reason_for(facts_of(alert))


def _suppression(connection: Connection, at: datetime) -> Suppression:
    transaction = connection.get_transaction()
    cached = connection.info.get("watchkeeper_suppression")
    if cached is None or cached[0] is not transaction or abs(cached[1].at - at) > FRESH_FOR:
        cached = (transaction, suppression_at(connection, at))
        connection.info["watchkeeper_suppression"] = cached
    found: Suppression = cached[1]
    return found

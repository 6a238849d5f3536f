"""The organisation's calendar as routing and suppression use it: in hours or not, and what suppresses an alert.

In progress: bank holidays, maintenance windows and silences join here from the `suppress` work (issue 4).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from watchkeeper.catalog.organisation import Organisation

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def in_hours(org: Organisation, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(org.timezone))
    hours = org.support_hours
    return _DAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


def suppressed_by(connection: Connection, alert: Mapping[str, Any], at: datetime) -> str | None:
    """ "maintenance:<id>" or "silence:<id>" when one covers the alert at `at`."""
    return None

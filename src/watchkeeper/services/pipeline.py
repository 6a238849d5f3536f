"""What follows a change to an alert, in the same transaction: suppression, route and group (ADR 0021)."""

from datetime import datetime

from sqlalchemy import Connection

from watchkeeper.domain.alerts import Outcome


def after_change(connection: Connection, alert_id: int, outcome: Outcome, now: datetime) -> None:
    """Routing and grouping land here next (ADR 0021, stages 3 to 6)."""

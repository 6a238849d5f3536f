"""The read model of "what is down now": checks confirmed DOWN, flapping, failing but not yet DOWN, or passing
with a warning, each
with the service or platform it watches and the team that owns it."""

from dataclasses import dataclass
from datetime import datetime

from watchkeeper.store import Database
from watchkeeper.store.outages import Section, in_trouble
from watchkeeper.store.subjects import service_counts

SECTION_LIMIT = 500
"""Rows shown per section; a larger outage says how many more there are."""


@dataclass(frozen=True)
class DownNow:
    down: Section
    flapping: Section
    failing: Section
    warning: Section
    """Passing, but near a limit (a certificate inside its warning mark)."""
    services_on_platform: dict[str, int]
    """For each platform with a check down: how many services run on it."""
    now: datetime

    @property
    def platforms_down(self) -> set[str]:
        return {row.subject_id for row in self.down.rows if row.subject_kind == "platform"}

    @property
    def live_summary(self) -> str:
        """What a screen reader hears when the page refreshes itself and the counts have changed."""
        counts = ((self.down.total, "down"), (self.flapping.total, "flapping"), (self.failing.total, "failing"))
        said = [f"{total} {'check' if total == 1 else 'checks'} {what}" for total, what in counts if total]
        return ", ".join(said) or "nothing is down"

    @property
    def quiet(self) -> bool:
        return not (self.down.total or self.flapping.total or self.failing.total or self.warning.total)


def read_down_now(db: Database, now: datetime, limit: int = SECTION_LIMIT) -> DownNow:
    with db.reading() as connection:
        down = in_trouble(connection, "down", limit)
        flapping = in_trouble(connection, "flapping", limit)
        failing = in_trouble(connection, "failing", limit)
        warning = in_trouble(connection, "warning", limit)
        platforms = sorted({row.subject_id for row in down.rows if row.subject_kind == "platform"})
        counts = service_counts(connection, platforms)
    return DownNow(down, flapping, failing, warning, counts, now)

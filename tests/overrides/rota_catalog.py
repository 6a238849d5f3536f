"""The overrides tests' catalog: one two-layer schedule in Europe/London and people in two teams; and NOW, a
Thursday, 2026-11-26 12:00 UTC (GMT, so London's local time is UTC).

The weekly layer hands over on Wednesdays at 09:30: asha from 2026-11-25, ben from 2026-12-02, asha again from
2026-12-09. The weeknight layer puts chen on call from Monday 17:30 to Tuesday 09:30."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.store import Database

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
teams:
  - id: re
    name: Reliability engineering
    platform_team: true
    people:
      - {id: asha, name: Asha Patel, email: asha@example.org}
      - {id: ben, name: Ben Okafor, email: ben@example.org}
      - {id: chen, name: Chen Wei, email: chen@example.org}
    schedules:
      - id: re-primary
        name: RE primary
        timezone: Europe/London
        layers:
          - name: weekly
            start: 2026-01-07T09:30
            rotation: [asha, ben]
            turn: 1w
          - name: weeknight cover
            start: 2026-01-05T17:30
            rotation: [chen]
            turn: 1d
            restrict:
              - {days: [mon], from: "17:30", to: "09:30"}
  - id: pay
    name: Pay
    people:
      - {id: fatima, name: Fatima Hussain, email: fatima@example.org}
"""


def at(text: str) -> datetime:
    """`2026-11-30 17:30` in UTC (which is London time in winter)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Rotas:
    db: Database
    clock: FixedClock
    catalog: Path

    def apply(self, text: str) -> None:
        self.catalog.write_text(text)
        applied = apply_catalog_from(self.db, self.catalog, clock=self.clock, trigger="cli")
        assert applied.outcome == "applied", applied

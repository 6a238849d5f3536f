"""The console over a real database with the example catalog applied and a clock the tests set, and clients
signed in as anyone: the people of the example catalog in each role, and outsiders."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from signed_in import ADMIN, Person, sign_in
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "console-tests-secret-key-0123456789-abcdefghij"
NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # a Thursday afternoon

PLATFORM_ADMIN = Person(ADMIN, name="Admin Account")  # an account's own role; in no catalog team
ASHA = Person("asha.patel@example.gov.uk", role="viewer")  # a platform admin through the catalog's platform team
FATIMA = Person("fatima.hussain@example.gov.uk", role="viewer")  # a member of pay through the catalog
GEORGE = Person("george.lin@example.gov.uk", role="team-admin", team="pay")  # pay's admin
INES = Person("ines.costa@example.gov.uk", role="viewer")  # a member of notify through the catalog
JONAH = Person("jonah.reid@example.gov.uk", role="team-admin", team="notify")  # notify's admin
VIEWER = Person("viewer@example.org", role="viewer", name="Val Viewer")  # in no team, no catalog person


@dataclass
class ConsoleSite:
    db: Database
    clock: FixedClock
    app: FastAPI
    clients: list[TestClient] = field(default_factory=list)

    def client(self, person: Person | None = PLATFORM_ADMIN) -> TestClient:
        """A client signed in as `person` (None: nobody)."""
        client = TestClient(self.app, raise_server_exceptions=False)
        if person is not None:
            sign_in(client, self.db, KEY, person, at=self.clock.now())
        self.clients.append(client)
        return client

    def alert(self, check: str = "pay-frontend-home", summary: str | None = None) -> int:
        """An alert raised by a check of the catalog, now."""
        signal = Signal(
            action="trigger",
            dedup_key=f"check:{check}",
            source="check",
            subject=Subject("check", check),
            summary=summary or f"{check} is DOWN: HTTP 503",
        )
        [received] = receive(self.db, [signal], self.clock.now())
        assert received.alert_id is not None
        return received.alert_id


def console_site(db: Database, catalog: Path | None, secrets: dict[str, str], now: datetime = NOW) -> ConsoleSite:
    clock = FixedClock(now)
    if catalog is not None:
        applied = apply_catalog_from(db, catalog, clock=clock, trigger="cli", environ=secrets)
        assert applied.outcome == "applied", applied
    settings = Settings(database_url=db.url, secret_key=KEY)
    context = AppContext(settings, db, clock, build_registry(db), catalog, None)
    return ConsoleSite(db, clock, create_app(context))

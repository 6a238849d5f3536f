"""The scenario harness for paging: a catalog in a database, alerts sent in, the engine's alerting passes run on a
fake clock, and what they wrote read back; and the console over the same database, signed in, for the links in
pages. The escalation, page-link and report tests build on it."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import RowMapping, select

from signed_in import sign_in
from watchkeeper.catalog import load_catalog
from watchkeeper.catalog.problems import CatalogInvalid
from watchkeeper.domain.alerts import Action, Signal, Subject
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services.alerts import receive_one
from watchkeeper.services.catalog import LoadResult, apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.services.page_links import PageLinks
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import tables as t
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

KEY = "escalation-tests-secret-key-0123456789-abcdef"
PUBLIC = "https://wk.example.org"
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # Thursday: Asha's week on re-primary (handover Wednesdays)


class Paging:
    """A pass that raises is kept in `failures` and the next one runs, as the engine logs a failed duty and goes
    on; a test that expects none asserts so."""

    def __init__(self, db: Database, tmp_path: Path, catalog: str, start: datetime, *, must_load: bool = True) -> None:
        self.db, self.tmp_path, self.start, self.clock = db, tmp_path, start, FixedClock(start)
        self.failures: list[BaseException] = []
        self.loaded = self.load(catalog)
        assert self.loaded.ok or not must_load, self.loaded.problems
        self.outbox = Outbox(reach=Reach(email=True, link_life=timedelta(hours=2)))

    def load(self, catalog: str) -> LoadResult:
        path = self.tmp_path / "catalog.yaml"
        path.write_text(catalog)
        try:
            loaded = load_catalog(path)
        except CatalogInvalid as invalid:  # refused when read: as good as refused when applied
            problems = [{"message": str(problem)} for problem in invalid.problems]
            return LoadResult("failed", str(path), self.clock.now(), problems=problems)
        return apply_loaded(self.db, loaded, source=str(path), clock=self.clock, trigger="cli")

    def signal(self, action: Action, key: str, team: str, labels: dict[str, str], summary: str) -> int | None:
        signal = Signal(
            action=action,
            dedup_key=f"generic:{key}",
            source="generic",
            subject=Subject("team", team),
            severity="page",
            summary=summary,
            labels=labels,
        )
        with self.db.transaction() as connection:
            return receive_one(connection, signal, self.clock.now()).alert_id

    def at(self, when: datetime) -> None:
        """Moves the clock on to `when` without running the engine."""
        assert when >= self.clock.now()
        self.clock.advance(when - self.clock.now())

    def advance(self, minutes: float, step: timedelta = timedelta(seconds=30)) -> None:
        """Runs a pass every `step` of fake time, up to `minutes` from now."""
        end = self.clock.now() + timedelta(minutes=minutes)
        self.run()
        while self.clock.now() + step <= end:
            self.clock.advance(step)
            self.run()

    def run(self) -> None:
        try:
            Alerting(self.db, self.clock, self.outbox).run_pass()
        except Exception as error:  # the engine logs it and runs the next pass
            self.failures.append(error)

    def sent(self) -> list[tuple[float, str]]:
        """(minutes after the start, channel) of every notification about alerts, in order (a shift's start or
        end notice, about no alert, is not a page)."""
        n = t.notifications
        with self.db.reading() as connection:
            query = select(n.c.created_at, n.c.channel_id).where(n.c.group_key.is_not(None)).order_by(n.c.id)
            rows = connection.execute(query).all()
        return [((row.created_at - self.start).total_seconds() / 60, row.channel_id) for row in rows]

    def links(self) -> list[int]:
        with self.db.reading() as connection:
            return list(connection.execute(select(t.page_links.c.id).order_by(t.page_links.c.id)).scalars())

    def alert(self, alert_id: int) -> RowMapping:
        with self.db.reading() as connection:
            row = alert_store.get(connection, alert_id)
        assert row is not None
        return row


CATALOG = """
organisation: {name: Org, timezone: Europe/London}
teams:
  - id: re
    name: RE
    platform_team: true
    people:
      - id: asha
        name: Asha
        email: asha@example.org
        phone: "+447700900101"
        notify:
          - {via: email, after: 0m}
          - {via: sms, after: 5m}
      - {id: ben, name: Ben, email: ben@example.org}
      - {id: chen, name: Chen, email: chen@example.org}
      - {id: ellis, name: Ellis, email: ellis@example.org}
    channels:
      - {id: re-chat, type: inbox}
    schedules:
      - id: re-primary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [asha, ben], turn: 1w}
      - id: re-secondary
        timezone: Europe/London
        layers:
          - {start: 2026-01-07T09:30, rotation: [chen], turn: 1w}
      - id: re-daily
        timezone: Europe/London
        layers:
          - {start: 2026-01-01T09:30, rotation: [asha, ben], turn: 1d}
      - id: re-nights
        timezone: Europe/London
        layers:
          - start: 2026-01-05T18:00
            rotation: [ben]
            turn: 1w
            restrict: [{from: "18:00", to: "08:00"}]
    escalation_policies:
      - id: re-default
        levels:
          - notify: [schedule:re-primary]
          - after: 15m
            notify: [schedule:re-secondary]
          - after: 30m
            notify: [person:ellis, channel:re-chat]
        repeat: 1
        ack_timeout: 30m
      - id: re-daily
        levels:
          - notify: [schedule:re-daily]
          - after: 15m
            notify: [person:chen]
      - id: re-nights
        levels:
          - notify: [schedule:re-nights]
      - id: re-later
        levels:
          - after: 5m               # give a blip five minutes to clear before anyone is woken
            notify: [person:chen]
        repeat: 1
    routes:
      - match: {labels: {policy: later}}
        escalation_policy: re-later
        group_wait: 0s
      - match: {labels: {policy: daily}}
        escalation_policy: re-daily
        group_wait: 0s
      - match: {labels: {policy: nights}}
        escalation_policy: re-nights
        group_wait: 0s
      - match: {severity: page}
        escalation_policy: re-default
        group_wait: 0s
      - notify: [channel:re-chat]
        group_wait: 0s
"""
"""The platform team's rota: a weekly primary and secondary, a daily rota, a nights rota with a gap by day; a
policy of three levels with a second round and an acknowledgement timeout, and one whose first level waits.
Alerts with a `policy` label take that label's route; any other page goes to re-default."""


class Scenario(Paging):
    """CATALOG (or another catalog) from T0 (or another start)."""

    def __init__(self, db: Database, tmp_path: Path, start: datetime = T0, catalog: str = CATALOG) -> None:
        super().__init__(db, tmp_path, catalog, start)

    def trigger(
        self, key: str = "disk", policy: str | None = None, labels: dict[str, str] | None = None, team: str = "re"
    ) -> int:
        labels = {**(labels or {}), **({"policy": policy} if policy else {})}
        alert_id = self.signal("trigger", key, team, labels, f"{key} is full")
        assert alert_id is not None
        return alert_id

    def resolve(self, key: str, policy: str) -> None:
        self.signal("resolve", key, "re", {"policy": policy}, f"{key} is full")


def paged(sent: list[tuple[float, str]], person: str) -> list[float]:
    """When `person` was paged: the minutes of their inbox's pages, which every page reaches at once."""
    return [minute for minute, channel in sent if channel == f"person:{person}/inbox"]


@contextmanager
def console(db: Database, clock: FixedClock) -> Iterator[TestClient]:
    """The web app over `db` on `clock`, its pages' links at PUBLIC, signed in as a platform admin."""
    settings = Settings(database_url=db.url, secret_key=KEY, public_url=PUBLIC)
    context = AppContext(settings, db, clock, build_registry(db), None, None)
    with TestClient(create_app(context), raise_server_exceptions=False) as client:
        sign_in(client, db, KEY, at=clock.now())
        yield client


def page_token(link_id: int) -> str:
    """The token in the URL of a page's link, as the console and delivery sign it."""
    return PageLinks(KEY, PUBLIC).token(link_id)

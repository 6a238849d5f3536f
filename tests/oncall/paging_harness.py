"""The scenario harness for paging: a catalog in a database, alerts sent in, the engine's alerting passes run on a
fake clock, and what they wrote read back. The escalation, report and review tests build on it."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import RowMapping, select

from watchkeeper.catalog import load_catalog
from watchkeeper.catalog.problems import CatalogInvalid
from watchkeeper.domain.alerts import Action, Signal, Subject
from watchkeeper.engine.alerting import Alerting
from watchkeeper.services.alerts import receive_one
from watchkeeper.services.catalog import LoadResult, apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store
from watchkeeper.store import tables as t


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

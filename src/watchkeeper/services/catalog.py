"""Apply a catalog to the database, and tell what is running and what last went wrong.

Every attempt is recorded in `catalog_loads`, so every process (web, engine, several of each) can show the same
banner: a failed reload leaves the last good catalog in force and says why.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, desc, insert, select

from watchkeeper.catalog import Catalog, CatalogInvalid, load_catalog
from watchkeeper.services.audit import Actor, record, server_actor
from watchkeeper.services.clock import Clock
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.catalog_sync import SyncRefused, apply_catalog

Outcome = Literal["applied", "unchanged", "failed"]
Trigger = Literal["start", "cli", "sighup", "api", "demo"]


@dataclass(frozen=True)
class LoadResult:
    outcome: Outcome
    source: str
    at: datetime
    digest: str | None = None
    summary: dict[str, int] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    """Names of the environment variables the catalog's ${NAME} references read (never their values)."""

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "source": self.source,
            "at": self.at.isoformat(),
            "digest": self.digest,
            "summary": self.summary,
            "changes": self.changes,
            "problems": self.problems,
        }


def apply_catalog_from(
    db: Database,
    path: str | Path,
    *,
    clock: Clock,
    trigger: Trigger,
    environ: Mapping[str, str] | None = None,
    actor: Actor | None = None,
) -> LoadResult:
    """Load the catalog at `path` and, if it is valid, make the database hold exactly it. `actor` is who asked
    (None: the server itself, at start or on SIGHUP)."""
    source = str(path)
    now = clock.now()
    try:
        catalog = load_catalog(path, environ=environ)
    except CatalogInvalid as invalid:
        return record_failure(db, source, now, trigger, [p.as_dict() for p in invalid.problems])
    return apply_loaded(db, catalog, source=source, clock=clock, trigger=trigger, actor=actor)


def apply_loaded(
    db: Database, catalog: Catalog, *, source: str, clock: Clock, trigger: Trigger, actor: Actor | None = None
) -> LoadResult:
    """A load that changes anything is on the audit log, in its own transaction: the catalog says who is in
    which team and who is a platform admin, so it is the most powerful change there is."""
    now = clock.now()
    digest = catalog.digest()
    try:
        with db.transaction() as connection:
            sync = apply_catalog(connection, catalog, now)
            outcome: Outcome = "applied" if sync.changed else "unchanged"
            result = LoadResult(outcome, source, now, digest, catalog.summary(), sync.totals(), secrets=catalog.secrets)
            _record(connection, result, trigger)
            if sync.changed:
                after = {"source": source, "digest": digest, "trigger": trigger, "changes": sync.totals()}
                record(connection, actor or server_actor(trigger), now, "catalog.apply", ("catalog", "-"), after=after)
    except SyncRefused as refused:
        problems = [{"file": source, "line": 0, "message": reason, "hint": None} for reason in refused.reasons]
        return record_failure(db, source, now, trigger, problems, digest)
    return result


def record_failure(
    db: Database,
    source: str,
    now: datetime,
    trigger: Trigger,
    problems: list[dict[str, Any]] | str,
    digest: str | None = None,
) -> LoadResult:
    """Record a load that changed nothing, with its problems (or one message), for every process to show."""
    if isinstance(problems, str):
        problems = [{"file": source, "line": 0, "message": problems, "hint": None}]
    result = LoadResult("failed", source, now, digest, problems=problems)
    with db.transaction() as connection:
        _record(connection, result, trigger)
    return result


def _record(connection: Connection, result: LoadResult, trigger: Trigger) -> None:
    connection.execute(
        insert(t.catalog_loads).values(
            at=result.at,
            source=result.source,
            trigger=trigger,
            outcome=result.outcome,
            digest=result.digest,
            summary=result.summary,
            problems=result.problems,
        )
    )


@dataclass(frozen=True)
class CatalogStatus:
    """The catalog in force and, when the latest attempt failed, why."""

    applied: LoadResult | None
    failed: LoadResult | None

    @property
    def healthy(self) -> bool:
        return self.applied is not None and self.failed is None


def catalog_status(db: Database) -> CatalogStatus:
    with db.reading() as connection:
        latest = _latest(connection, ("applied", "unchanged"))
        failure = _latest(connection, ("failed",))
    if failure is not None and latest is not None and failure.at < latest.at:
        failure = None
    return CatalogStatus(latest, failure)


def _latest(connection: Connection, outcomes: tuple[str, ...]) -> LoadResult | None:
    row = (
        connection.execute(
            select(t.catalog_loads)
            .where(t.catalog_loads.c.outcome.in_(outcomes))
            .order_by(desc(t.catalog_loads.c.id))
            .limit(1)
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return LoadResult(
        row["outcome"],
        row["source"],
        row["at"],
        row["digest"],
        row["summary"] or {},
        {},
        row["problems"] or [],
    )

"""Accepting inbound signals on both backends: subjects settled against the catalog, and first triggers of one
key racing from several requests at once becoming one alert."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.integrations import Inbound
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.inbound import accept
from watchkeeper.store import Database
from watchkeeper.store import alerts as store
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
teams:
  - {id: pay, name: Pay, integrations: [{id: pay-am, type: alertmanager}]}
  - {id: re, name: RE, platform_team: true}
platforms:
  - {id: paas, name: PaaS, owner: re}
services:
  - {id: pay-api, name: Payments API, owner: pay, platform: paas}
"""


def _catalog(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=FixedClock(T0), trigger="cli").ok


def inbound(key: str, *named: Subject) -> Inbound:
    signal = Signal("trigger", f"alertmanager:pay-am:{key}", "alertmanager", Subject("team", "pay"), summary=key)
    return Inbound(signal, named)


def test_the_first_named_subject_in_the_catalog_owns_the_alert(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    received = accept(
        db,
        [
            inbound("a", Subject("service", "nope"), Subject("platform", "paas")),
            inbound("b", Subject("service", "pay-api"), Subject("platform", "paas")),
            inbound("c"),
        ],
        T0,
    )

    with db.reading() as connection:
        rows = [store.get(connection, r.alert_id or 0) for r in received]
    assert [(r["subject_kind"], r["subject_id"], r["team_id"]) for r in rows if r] == [
        ("platform", "paas", "re"),
        ("service", "pay-api", "pay"),
        ("team", "pay", "pay"),
    ]
    assert "subject_note" not in rows[0]["details"]


def test_racing_first_triggers_of_one_key_make_one_alert(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda _: accept(db, [inbound("same")], T0)[0].applied.outcome, range(12)))

    assert sorted(outcomes) == ["occurred"] * 11 + ["opened"]
    with db.reading() as connection:
        row = store.find_open(connection, "alertmanager:pay-am:same")
    assert row is not None
    assert row["occurrences"] == 12


def test_triggers_and_resolves_of_one_key_racing_on_postgresql_are_all_stored(
    postgres_db: Database, tmp_path: Path
) -> None:
    """A trigger that finds no open alert locks no row, so row locks alone let triggers racing a resolve all
    insert and meet the unique index of open alerts, again and again (once a 500 after one retry):
    each request now takes its key's lock first."""
    _catalog(postgres_db, tmp_path)

    def send(n: int) -> str:
        action = "trigger" if n % 2 == 0 else "resolve"
        signal = Signal(action, "generic:pay-jobs:flap", "generic", Subject("team", "pay"), summary="flapping")
        try:
            [received] = accept(postgres_db, [Inbound(signal)], T0)
        except Exception as error:  # IntegrityError was a 500; Contended would be a 503
            return type(error).__name__
        return received.applied.outcome

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(send, range(800)))

    assert set(outcomes) <= {"opened", "occurred", "resolved", "ignored"}, set(outcomes)
    with postgres_db.reading() as connection:
        statuses = list(connection.execute(select(t.alerts.c.status)).scalars())
    # One after another, nothing lost: an alert for each "opened", each closed by a "resolved" but perhaps the last.
    assert len(statuses) == outcomes.count("opened")
    assert statuses.count("resolved") == outcomes.count("resolved") >= len(statuses) - 1

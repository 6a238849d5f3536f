"""Accepting inbound signals on both backends: subjects settled against the catalog, and first triggers of one
key racing from several requests at once becoming one alert."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.integrations import Inbound
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.inbound import accept
from watchkeeper.store import Database
from watchkeeper.store import alerts as store

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

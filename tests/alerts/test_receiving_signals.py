"""Signals applied to alerts in the store: one open alert per key, occurrences, acknowledgement, resolution."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.services.alerts import receive
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.store import Database
from watchkeeper.store import alerts as store

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
teams:
  - {id: pay, name: Pay}
  - {id: re, name: RE, platform_team: true}
platforms:
  - {id: paas, name: PaaS, owner: re, checks: [{id: paas-api, type: tcp, host: localhost, port: 1}]}
services:
  - id: pay-api
    name: Payments API
    owner: pay
    platform: paas
    checks: [{id: pay-api-health, type: tcp, host: localhost, port: 1}]
"""


def _catalog(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=FixedClock(T0), trigger="cli")
    assert result.ok, result.problems


def _signal(action: str = "trigger", key: str = "check:pay-api-health", **fields: object) -> Signal:
    values: dict[str, object] = {"source": "check", "subject": Subject("check", "pay-api-health")} | fields
    return Signal(action=action, dedup_key=key, summary=f"{action} it", **values)  # type: ignore[arg-type]


def test_a_trigger_opens_an_alert_owned_by_the_checks_team(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    [received] = receive(db, [_signal()], T0)

    assert received.applied.outcome == "opened"
    with db.reading() as connection:
        row = store.get(connection, received.alert_id or 0)
        assert row is not None
        assert (row["team_id"], row["service_id"], row["platform_id"]) == ("pay", "pay-api", "paas")
        assert (row["status"], row["occurrences"], row["summary"]) == ("triggered", 1, "trigger it")
        assert [e["kind"] for e in store.events(connection, row["id"])] == ["opened", "routed"]


def test_the_same_key_while_open_adds_an_occurrence_and_after_resolution_opens_anew(
    db: Database, tmp_path: Path
) -> None:
    _catalog(db, tmp_path)

    first, again, resolved = receive(db, [_signal(), _signal(), _signal("resolve")], T0)
    [reopened] = receive(db, [_signal()], T0 + timedelta(minutes=1))

    assert [r.applied.outcome for r in (first, again, resolved, reopened)] == [
        "opened",
        "occurred",
        "resolved",
        "opened",
    ]
    assert first.alert_id == again.alert_id == resolved.alert_id != reopened.alert_id
    with db.reading() as connection:
        old = store.get(connection, first.alert_id or 0)
        assert old is not None
        assert (old["status"], old["occurrences"]) == ("resolved", 2)
        kinds = [e["kind"] for e in store.events(connection, old["id"])]
        assert kinds == ["opened", "routed", "occurred", "resolved"]


def test_an_acknowledgement_is_kept_by_a_later_trigger_and_names_who(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    receive(db, [_signal(), _signal("acknowledge", actor="fatima"), _signal()], T0)

    with db.reading() as connection:
        row = store.find_open(connection, "check:pay-api-health")
        assert row is not None
        assert (row["status"], row["acknowledged_by"], row["occurrences"]) == ("acknowledged", "fatima", 2)


def test_acknowledge_or_resolve_with_no_open_alert_is_ignored_with_a_note(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    [ack] = receive(db, [_signal("acknowledge", key="check:nothing")], T0)

    assert ack.applied.outcome == "ignored"
    assert "no open alert" in ack.applied.note
    assert ack.alert_id is None


def test_a_signal_about_something_not_in_the_catalog_is_ignored(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    [received] = receive(db, [_signal(subject=Subject("service", "nope"), key="generic:x")], T0)

    assert received.applied.outcome == "ignored"
    assert received.applied.note == "service nope is not in the catalog"
    with db.reading() as connection:
        assert store.find_open(connection, "generic:x") is None


def test_a_platform_alert_is_owned_by_the_platform_team(db: Database, tmp_path: Path) -> None:
    _catalog(db, tmp_path)

    [received] = receive(db, [_signal(key="check:paas-api", subject=Subject("check", "paas-api"))], T0)

    with db.reading() as connection:
        row = store.get(connection, received.alert_id or 0)
        assert row is not None
        assert (row["team_id"], row["platform_id"], row["service_id"]) == ("re", "paas", None)

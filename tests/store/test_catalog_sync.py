"""Catalog sync: all or nothing, updates in place, API objects left alone; on SQLite and PostgreSQL."""

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from watchkeeper.catalog import load_catalog
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_catalog_from, catalog_status
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.objects import ServiceFields, create_service
from watchkeeper.store import Database
from watchkeeper.store import tables as t

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog_dir(tmp_path: Path, example_catalog: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(example_catalog, target)
    return target


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _apply(db: Database, path: Path, clock: FixedClock, env: dict[str, str]):
    clock.advance(timedelta(seconds=1))
    return apply_catalog_from(db, path, clock=clock, trigger="cli", environ=env)


def _ids(db: Database, table) -> set[str]:
    with db.reading() as connection:
        return set(connection.execute(select(table.c.id)).scalars())


def test_applying_the_example_stores_every_object(db, catalog_dir, clock, example_secrets):
    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "applied"
    catalog = load_catalog(catalog_dir, environ=example_secrets)
    assert _ids(db, t.teams) == {team.id for team in catalog.teams}
    assert _ids(db, t.people) == {person.id for _, person in catalog.people()}
    assert _ids(db, t.checks) == {check.id for _, check in catalog.checks()}
    assert _ids(db, t.services) == {"pay-frontend", "pay-api", "notify-api"}
    with db.reading() as connection:
        deps = set(
            connection.execute(select(t.service_dependencies.c.service_id, t.service_dependencies.c.depends_on_id))
        )
        origins = set(connection.execute(select(t.checks.c.origin)).scalars())
    assert deps == {("pay-frontend", "pay-api")}
    assert origins == {"file"}


def test_applying_the_same_catalog_again_changes_nothing(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    with db.reading() as connection:
        before = connection.execute(select(t.checks.c.id, t.checks.c.updated_at)).all()

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "unchanged"
    assert result.changes == {"created": 0, "updated": 0, "deleted": 0}
    with db.reading() as connection:
        assert connection.execute(select(t.checks.c.id, t.checks.c.updated_at)).all() == before


def test_an_edit_updates_in_place_and_a_removal_deletes(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    with db.reading() as connection:
        created = connection.execute(select(t.checks.c.created_at).where(t.checks.c.id == "paas-api")).scalar_one()
    platforms = catalog_dir / "platforms.yaml"
    text = platforms.read_text().replace(
        "interval: 30s\n        timeout: 10s\n        expect:\n          status: [200]\n          json",
        "interval: 45s\n        timeout: 10s\n        expect:\n          status: [200]\n          json",
    )
    assert "interval: 45s" in text
    platforms.write_text(text)
    notify = catalog_dir / "teams" / "notify.yaml"
    smtp_check = "      - id: notify-smtp\n        type: tcp\n        host: smtp.notifications.example.gov.uk\n"
    assert smtp_check in notify.read_text()
    notify.write_text(notify.read_text().replace(smtp_check + "        port: 465\n        severity: ticket\n", ""))

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "applied"
    assert result.changes == {"created": 0, "updated": 1, "deleted": 1}
    with db.reading() as connection:
        row = connection.execute(select(t.checks).where(t.checks.c.id == "paas-api")).mappings().one()
    assert row["interval_seconds"] == 45
    assert row["created_at"] == created  # the same row, so state kept under its id survives
    assert row["updated_at"] == clock.now()
    assert "notify-smtp" not in _ids(db, t.checks)


def test_a_broken_edit_leaves_the_catalog_in_force_and_is_recorded(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    teams_before = _ids(db, t.teams)
    pay = catalog_dir / "teams" / "pay.yaml"
    pay.write_text(
        pay.read_text().replace(
            "  - id: pay-api\n    name: Payments API\n    owner: pay",
            "  - id: pay-api\n    name: Payments API\n    owner: nobody",
        )
    )
    (catalog_dir / "teams" / "new.yaml").write_text("teams:\n  - id: newcomers\n    name: Newcomers\n")

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "failed"
    assert any("unknown team 'nobody'" in p["message"] for p in result.problems)
    assert _ids(db, t.teams) == teams_before  # the valid new team was not half-applied
    status = catalog_status(db)
    assert status.applied is not None
    assert status.applied.outcome == "applied"
    assert status.failed is not None
    assert status.failed.problems == result.problems


def test_a_later_good_load_clears_the_failure(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    _apply(db, catalog_dir / "missing", clock, example_secrets)
    assert catalog_status(db).failed is not None

    _apply(db, catalog_dir, clock, example_secrets)

    assert catalog_status(db).failed is None


def test_objects_created_through_the_api_survive_a_sync(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    create_service(
        db,
        clock,
        "pay-admin",
        ServiceFields(name="Pay admin", owner="pay", depends_on=("pay-api",)),
        cli_actor("tests"),
    )

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "unchanged"
    with db.reading() as connection:
        origin = connection.execute(select(t.services.c.origin).where(t.services.c.id == "pay-admin")).scalar_one()
    assert origin == "api"


def test_a_file_object_cannot_take_over_an_api_objects_id(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    create_service(db, clock, "pay-admin", ServiceFields(name="Pay admin", owner="pay"), cli_actor("tests"))
    extra = "services:\n  - id: pay-admin\n    name: Pay admin from a file\n    owner: pay\n"
    (catalog_dir / "teams" / "pay-admin.yaml").write_text(extra)

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "failed"
    assert "created through the API" in result.problems[0]["message"]
    with db.reading() as connection:
        name = connection.execute(select(t.services.c.name).where(t.services.c.id == "pay-admin")).scalar_one()
    assert name == "Pay admin"


def test_removing_a_team_that_api_objects_still_use_is_refused_whole(db, catalog_dir, clock, example_secrets):
    extra = catalog_dir / "teams" / "extra.yaml"
    extra.write_text(
        "teams:\n  - id: extra\n    name: Extra\n    people:\n      - {id: ed, name: Ed, email: ed@example.gov.uk}\n"
    )
    _apply(db, catalog_dir, clock, example_secrets)
    create_service(db, clock, "extra-admin", ServiceFields(name="Extra admin", owner="extra"), cli_actor("tests"))
    extra.unlink()

    result = _apply(db, catalog_dir, clock, example_secrets)

    assert result.outcome == "failed"
    assert "still refer" in result.problems[0]["message"]
    assert "extra" in _ids(db, t.teams)
    assert "ed" in _ids(db, t.people)  # the person deleted before the failure was rolled back too


def test_secret_values_never_reach_the_database(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)

    with db.reading() as connection:
        dump = json.dumps(
            [list(map(str, row)) for table in t.metadata.sorted_tables for row in connection.execute(select(table))]
        )
    assert "${PAY_API_HEALTH_TOKEN}" in dump  # the reference is kept
    for value in example_secrets.values():
        assert value not in dump


def test_timestamps_come_back_as_aware_utc(db, catalog_dir, clock, example_secrets):
    _apply(db, catalog_dir, clock, example_secrets)
    with db.transaction() as connection:
        connection.execute(
            update(t.teams).values(updated_at=datetime(2026, 3, 1, 14, 0, tzinfo=UTC) + timedelta(hours=1))
        )
    with db.reading() as connection:
        value = connection.execute(select(t.teams.c.updated_at)).scalars().first()
    assert value == datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
    assert value.utcoffset() == timedelta(0)

"""Integration keys on both backends: issued at runtime, found by digest, one live key per integration."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.integrations import Integration
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.integration_keys import UnknownIntegration, authenticate, digest_of, list_integrations, rotate
from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATALOG = """
teams:
  - id: pay
    name: Pay
    integrations:
      - {id: pay-am, type: alertmanager}
      - {id: pay-events, type: pagerduty_events_v2, name: Legacy cron jobs}
"""


@pytest.fixture
def catalog(db: Database, tmp_path: Path) -> Database:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    assert apply_loaded(db, load_catalog(path), source=str(path), clock=FixedClock(T0), trigger="cli").ok
    return db


def test_a_key_is_found_by_its_digest_for_its_own_type_only(catalog: Database) -> None:
    key = rotate(catalog, "pay-am", T0, by="ops").key

    assert authenticate(catalog, key, "alertmanager") == Integration("pay-am", "pay", "alertmanager")
    assert authenticate(catalog, key, "sentry") is None
    assert authenticate(catalog, key.upper(), "alertmanager") is None


def test_only_the_digest_and_hint_are_stored(catalog: Database) -> None:
    key = rotate(catalog, "pay-am", T0, by="ops").key

    with catalog.reading() as connection:
        [row] = connection.execute(select(t.integration_keys)).mappings().all()
    assert dict(row) == {
        "integration_id": "pay-am",
        "digest": digest_of(key),
        "hint": key[-4:],
        "issued_at": T0,
        "issued_by": "ops",
    }


def test_rotation_replaces_the_key(catalog: Database) -> None:
    old = rotate(catalog, "pay-events", T0).key
    new = rotate(catalog, "pay-events", T0).key

    assert old != new
    assert authenticate(catalog, old, "pagerduty_events_v2") is None
    assert authenticate(catalog, new, "pagerduty_events_v2") is not None


def test_the_listing_shows_every_integration_and_which_have_keys(catalog: Database) -> None:
    key = rotate(catalog, "pay-events", T0).key

    listed = {row.id: row for row in list_integrations(catalog)}

    assert (listed["pay-am"].hint, listed["pay-am"].issued_at) == (None, None)
    assert (listed["pay-events"].hint, listed["pay-events"].name, listed["pay-events"].issued_at) == (
        key[-4:],
        "Legacy cron jobs",
        T0,
    )


def test_rotating_an_unknown_integration_names_the_close_ones(catalog: Database) -> None:
    with pytest.raises(UnknownIntegration, match=r"did you mean pay-am\?"):
        rotate(catalog, "pay-ams", T0)

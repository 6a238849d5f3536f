"""Integration keys on both backends: issued at runtime, found by digest, one live key per integration."""

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.integrations import Integration
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.integration_keys import (
    NO_KEY,
    IssuedKey,
    KeyChanged,
    UnknownIntegration,
    authenticate,
    digest_of,
    find_integration,
    key_version,
    list_integrations,
    rotate,
    rotate_seen,
)
from watchkeeper.services.refusals import Refused
from watchkeeper.store import Database
from watchkeeper.store import integration_keys as key_store
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
    key = rotate(catalog, "pay-am", T0, cli_actor("ops")).key

    assert authenticate(catalog, key, "alertmanager") == Integration("pay-am", "pay", "alertmanager")
    assert authenticate(catalog, key, "sentry") is None
    assert authenticate(catalog, key.upper(), "alertmanager") is None


def test_only_the_digest_and_hint_are_stored(catalog: Database) -> None:
    key = rotate(catalog, "pay-am", T0, cli_actor("ops")).key

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
    old = rotate(catalog, "pay-events", T0, cli_actor("tests")).key
    new = rotate(catalog, "pay-events", T0, cli_actor("tests")).key

    assert old != new
    assert authenticate(catalog, old, "pagerduty_events_v2") is None
    assert authenticate(catalog, new, "pagerduty_events_v2") is not None


def test_the_listing_shows_every_integration_and_which_have_keys(catalog: Database) -> None:
    key = rotate(catalog, "pay-events", T0, cli_actor("tests")).key

    listed = {row.id: row for row in list_integrations(catalog)}

    assert (listed["pay-am"].hint, listed["pay-am"].issued_at) == (None, None)
    assert (listed["pay-events"].hint, listed["pay-events"].name, listed["pay-events"].issued_at) == (
        key[-4:],
        "Legacy cron jobs",
        T0,
    )


def test_rotating_an_unknown_integration_names_the_close_ones(catalog: Database) -> None:
    with pytest.raises(UnknownIntegration, match=r"did you mean pay-am\?"):
        rotate(catalog, "pay-ams", T0, cli_actor("tests"))


def version_of(db: Database, integration_id: str) -> str:
    row = find_integration(db, integration_id)
    assert row is not None
    return key_version(row)


def test_a_rotation_from_a_page_replaces_the_key_the_page_showed_and_records_who(catalog: Database) -> None:
    old = rotate(catalog, "pay-am", T0, cli_actor("ops")).key
    seen = version_of(catalog, "pay-am")

    issued = rotate_seen(catalog, "pay-am", T0 + timedelta(hours=1), cli_actor(" Asha Patel "), seen)

    row = find_integration(catalog, "pay-am")
    assert row is not None
    assert (row.hint, row.issued_at, row.issued_by) == (issued.key[-4:], T0 + timedelta(hours=1), "Asha Patel")
    assert issued.issued_by == "Asha Patel"
    assert authenticate(catalog, old, "alertmanager") is None
    assert authenticate(catalog, issued.key, "alertmanager") is not None


def test_a_page_that_showed_an_older_key_replaces_nothing(catalog: Database) -> None:
    seen = version_of(catalog, "pay-am")
    current = rotate(catalog, "pay-am", T0, cli_actor("ops")).key

    with pytest.raises(KeyChanged, match=rf"it now ends {current[-4:]}, issued 2026-11-26 12:00:00 UTC by ops"):
        rotate_seen(catalog, "pay-am", T0, cli_actor("Asha"), seen)
    assert authenticate(catalog, current, "alertmanager") is not None


def test_two_rotations_within_one_second_have_different_versions(catalog: Database) -> None:
    rotate(catalog, "pay-am", T0, cli_actor("tests"))
    first = version_of(catalog, "pay-am")
    rotate(catalog, "pay-am", T0 + timedelta(microseconds=1), cli_actor("tests"))

    assert version_of(catalog, "pay-am") not in (first, NO_KEY)


def test_a_rotation_needs_a_name_without_control_characters(catalog: Database) -> None:
    with pytest.raises(Refused, match="name is required"):
        rotate_seen(catalog, "pay-am", T0, cli_actor(" "), NO_KEY)
    with pytest.raises(Refused, match="control characters"):
        rotate_seen(catalog, "pay-am", T0, cli_actor("A\x1b[2J"), NO_KEY)
    assert version_of(catalog, "pay-am") == NO_KEY


@pytest.mark.parametrize("has_key", [False, True], ids=["first key", "rotation"])
def test_two_people_sending_the_same_page_at_once_make_one_key(catalog: Database, has_key: bool) -> None:
    if has_key:
        rotate(catalog, "pay-am", T0, cli_actor("tests"))
    seen = version_of(catalog, "pay-am")
    start = threading.Barrier(2)
    outcomes: list[IssuedKey | KeyChanged] = []

    def send(name: str) -> None:
        start.wait()
        try:
            outcomes.append(rotate_seen(catalog, "pay-am", T0 + timedelta(minutes=1), cli_actor(name), seen))
        except KeyChanged as changed:
            outcomes.append(changed)

    threads = [threading.Thread(target=send, args=(name,)) for name in ("Asha", "Ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    [issued] = [o for o in outcomes if isinstance(o, IssuedKey)]
    assert len([o for o in outcomes if isinstance(o, KeyChanged)]) == 1
    assert authenticate(catalog, issued.key, "alertmanager") is not None


@pytest.mark.parametrize("has_key", [False, True], ids=["first key", "rotation"])
def test_a_rotation_that_read_before_another_committed_replaces_nothing(
    catalog: Database, has_key: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if has_key:
        rotate(catalog, "pay-am", T0, cli_actor("tests"))
    seen_row = find_integration(catalog, "pay-am")
    assert seen_row is not None
    winner = rotate_seen(catalog, "pay-am", T0 + timedelta(minutes=1), cli_actor("Ben"), key_version(seen_row))
    # As if our transaction had read the row just before the winner committed: only the write can tell.
    monkeypatch.setattr(key_store, "integration", lambda _connection, _id: seen_row)

    with pytest.raises(KeyChanged, match="a moment ago"):
        rotate_seen(catalog, "pay-am", T0 + timedelta(minutes=2), cli_actor("Asha"), key_version(seen_row))

    monkeypatch.undo()
    assert authenticate(catalog, winner.key, "alertmanager") is not None
    assert version_of(catalog, "pay-am") == key_version(
        key_store.IntegrationRow("pay-am", "pay", "alertmanager", None, winner.key[-4:], winner.issued_at, "Ben")
    )

"""Silences and maintenance windows stored, read back for the pipeline, and applied to real alerts; on SQLite
and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.alerts import Signal, Subject
from watchkeeper.domain.support_hours import in_hours
from watchkeeper.services import maintenance, silences
from watchkeeper.services.alerts import receive
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.maintenance import NewWindow
from watchkeeper.services.refusals import Refused
from watchkeeper.services.silences import NewSilence
from watchkeeper.services.support_hours import support_hours_of
from watchkeeper.services.suppression import facts_of, suppression_at
from watchkeeper.store import Database
from watchkeeper.store import alerts as alert_store

# Tuesday 24 November 2026, 06:30 in London (GMT).
ACTOR = cli_actor("Asha")
T0 = datetime(2026, 11, 24, 6, 30, tzinfo=UTC)
HOUR = timedelta(hours=1)
CATALOG = """
organisation:
  timezone: Europe/London
  support_hours: {days: [mon, tue, wed, thu, fri], start: "09:30", end: "17:30", bank_holidays: scotland}
teams:
  - {id: pay, name: Pay}
  - {id: re, name: RE, platform_team: true}
platforms:
  - id: paas
    name: PaaS
    owner: re
    checks: [{id: paas-api, type: tcp, host: localhost, port: 1}]
    maintenance:
      - {id: paas-patching, name: Patching, recurrence: "FREQ=WEEKLY;BYDAY=TU", start: "06:00", duration: 1h,
         timezone: Europe/London}
services:
  - id: pay-api
    name: Payments API
    owner: pay
    platform: paas
    checks: [{id: pay-api-health, type: tcp, host: localhost, port: 1}]
    maintenance:
      - {id: pay-migration, name: Migration, start: "2026-12-01T22:00", duration: 2h, timezone: Europe/London}
"""


@pytest.fixture
def catalog_db(db: Database, tmp_path: Path) -> Database:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=FixedClock(T0), trigger="cli")
    assert result.ok, result.problems
    return db


def _alert(db: Database, check: str, at: datetime = T0) -> dict:
    signal = Signal("trigger", f"check:{check}", "check", Subject("check", check), labels={"env": "prod"})
    [received] = receive(db, [signal], at)
    with db.reading() as connection:
        row = alert_store.get(connection, received.alert_id or 0)
    assert row is not None
    return dict(row)


def test_a_catalog_platform_window_suppresses_the_platforms_alert_not_the_services(catalog_db: Database) -> None:
    platform_alert = _alert(catalog_db, "paas-api")
    service_alert = _alert(catalog_db, "pay-api-health")

    with catalog_db.reading() as connection:
        during = suppression_at(connection, T0)
        after = suppression_at(connection, T0 + HOUR)

    assert during.reason_for(facts_of(platform_alert)) == "maintenance:paas-patching"
    assert during.reason_for(facts_of(service_alert)) is None
    assert after.reason_for(facts_of(platform_alert)) is None


def test_a_catalog_one_off_window_is_on_in_its_timezone(catalog_db: Database) -> None:
    service_alert = _alert(catalog_db, "pay-api-health")

    with catalog_db.reading() as connection:
        on = suppression_at(connection, datetime(2026, 12, 1, 23, 0, tzinfo=UTC))
        before = suppression_at(connection, datetime(2026, 12, 1, 21, 59, tzinfo=UTC))

    assert on.reason_for(facts_of(service_alert)) == "maintenance:pay-migration"
    assert before.reason_for(facts_of(service_alert)) is None


def test_a_silence_suppresses_matching_alerts_until_it_is_expired(catalog_db: Database) -> None:
    service_alert = _alert(catalog_db, "pay-api-health")
    made = silences.create_silence(
        catalog_db,
        T0,
        NewSilence(["service=pay-api", "env=~prod|staging"], "deploying", duration=2 * HOUR),
        ACTOR,
    )

    with catalog_db.reading() as connection:
        silenced = suppression_at(connection, T0 + HOUR).reason_for(facts_of(service_alert))
    expired = silences.expire_silence(catalog_db, T0 + HOUR, made.id, cli_actor("Ben"))
    with catalog_db.reading() as connection:
        afterwards = suppression_at(connection, T0 + HOUR).reason_for(facts_of(service_alert))

    assert silenced == f"silence:{made.id}"
    assert afterwards is None
    assert (expired.state, expired.expired_by, expired.expired_at) == ("expired", "Ben", T0 + HOUR)


def test_silences_are_listed_as_current_or_expired(catalog_db: Database) -> None:
    short = silences.create_silence(catalog_db, T0, NewSilence(["team=pay"], "short", duration=HOUR), ACTOR)
    later = silences.create_silence(
        catalog_db,
        T0,
        NewSilence(["team=re"], "later", starts_at=T0 + HOUR, duration=HOUR),
        ACTOR,
    )

    now = T0 + HOUR
    current = silences.list_silences(catalog_db, now, "current")
    ended = silences.list_silences(catalog_db, now, "expired")

    assert [(s.id, s.state) for s in current] == [(later.id, "active")]
    assert [(s.id, s.state) for s in ended] == [(short.id, "expired")]
    assert short.matchers == ("team=pay",)


def test_a_silence_expires_once(catalog_db: Database) -> None:
    made = silences.create_silence(catalog_db, T0, NewSilence(["team=pay"], "c", duration=HOUR), ACTOR)
    silences.expire_silence(catalog_db, T0, made.id, cli_actor("Ben"))

    with pytest.raises(Refused, match="already ended") as again:
        silences.expire_silence(catalog_db, T0, made.id, cli_actor("Cai"))
    with pytest.raises(Refused, match="no silence 999") as missing:
        silences.expire_silence(catalog_db, T0, 999, cli_actor("Cai"))

    assert again.value.status == 409
    assert missing.value.status == 404
    assert silences.get_silence(catalog_db, T0, made.id).expired_by == "Ben"


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        (NewSilence(["service=~("], "c", duration=HOUR), r"matchers\[0\]: the regex of service does not compile"),
        (NewSilence([], "c", duration=HOUR), "at least one matcher"),
        (NewSilence(["service=~.*"], "c", duration=HOUR), "would match every alert"),
        (NewSilence(["team=pay"], "", duration=HOUR), "comment is required"),
        (NewSilence(["team=pay"], "c", ends_at=T0 - HOUR), "has already passed"),
        (NewSilence(["team=pay"], "c"), "either an end"),
        (NewSilence(["team=pay"], "c", ends_at=datetime(2027, 1, 1)), "needs a UTC offset"),
        (NewSilence([{"name": "team", "op": "=="}], "c", duration=HOUR), r"matchers\[0\]: write a matcher"),
    ],
)
def test_a_bad_silence_is_refused_and_nothing_is_stored(catalog_db: Database, new: NewSilence, problem: str) -> None:
    with pytest.raises(Refused, match=problem) as refused:
        silences.create_silence(catalog_db, T0, new, ACTOR)

    assert refused.value.status == 400
    assert silences.list_silences(catalog_db, T0, "all") == []


def test_a_runtime_window_suppresses_its_scope_until_cancelled(catalog_db: Database) -> None:
    service_alert = _alert(catalog_db, "pay-api-health")
    made = maintenance.create_window(
        catalog_db,
        T0,
        NewWindow("Upgrade", services=["pay-api"], duration=2 * HOUR),
        ACTOR,
    )

    with catalog_db.reading() as connection:
        during = suppression_at(connection, T0 + HOUR).reason_for(facts_of(service_alert))
    cancelled = maintenance.cancel_window(catalog_db, T0 + HOUR, made.id, cli_actor("Ben"))
    with catalog_db.reading() as connection:
        after = suppression_at(connection, T0 + HOUR).reason_for(facts_of(service_alert))

    assert during == f"maintenance:runtime:{made.id}"
    assert after is None
    assert (cancelled.state, cancelled.cancelled_by) == ("cancelled", "Ben")
    with pytest.raises(Refused, match="already ended"):
        maintenance.cancel_window(catalog_db, T0 + HOUR, made.id, cli_actor("Ben"))


def test_a_runtime_windows_scope_must_be_in_the_catalog(catalog_db: Database) -> None:
    with pytest.raises(Refused, match="no service 'nope' in the catalog"):
        maintenance.create_window(catalog_db, T0, NewWindow("X", services=["pay-api", "nope"], duration=HOUR), ACTOR)
    with pytest.raises(Refused, match="say what the window covers"):
        maintenance.create_window(catalog_db, T0, NewWindow("X", duration=HOUR), ACTOR)

    assert maintenance.list_runtime(catalog_db, T0, "all") == []


def test_the_overview_shows_catalog_windows_with_their_next_occurrence(catalog_db: Database) -> None:
    maintenance.create_window(
        catalog_db,
        T0,
        NewWindow("Later", checks=["paas-api"], starts_at=T0 + HOUR, duration=HOUR),
        ACTOR,
    )

    seen = maintenance.overview(catalog_db, T0)

    by_id = {w.id: w for w in seen.catalog}
    patching = by_id["paas-patching"]
    assert patching.current is not None
    assert patching.upcoming is not None
    assert patching.upcoming.starts_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert by_id["pay-migration"].current is None
    assert (by_id["pay-migration"].subject_kind, by_id["pay-migration"].subject_id) == ("service", "pay-api")
    assert [(w.name, w.state) for w in seen.runtime] == [("Later", "scheduled")]


def test_support_hours_come_from_the_loaded_organisation(catalog_db: Database) -> None:
    with catalog_db.reading() as connection:
        hours = support_hours_of(connection)

    assert hours.timezone == "Europe/London"
    assert hours.bank_holidays == "scotland"
    assert in_hours(hours, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    assert not in_hours(hours, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # St Andrew's Day


def test_support_hours_before_any_catalog_are_the_defaults(db: Database) -> None:
    with db.reading() as connection:
        hours = support_hours_of(connection)

    assert (hours.timezone, hours.bank_holidays, hours.start.hour) == ("UTC", "none", 9)

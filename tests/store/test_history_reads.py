"""Reads behind the service, platform and down-now pages, on SQLite and PostgreSQL: rollups by size and range,
raw results only where no minute rollup reaches, states in trouble, and a fixed number of queries per page."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, or_, select

from history_rows import HistoryRows
from watchkeeper.domain.state import CheckState
from watchkeeper.domain.uptime import Tally
from watchkeeper.services.catalog import apply_catalog_from
from watchkeeper.services.clock import FixedClock
from watchkeeper.services.down_now import read_down_now
from watchkeeper.services.history import read_histories
from watchkeeper.services.subject_pages import read_subject_page
from watchkeeper.store import history
from watchkeeper.store import tables as t
from watchkeeper.store.outages import flap_patterns, in_trouble
from watchkeeper.store.subjects import find_subject, services_on

NOW = datetime(2026, 11, 26, 14, 5, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 26, tzinfo=UTC)
HOME = "pay-frontend-home"
CERT = "pay-frontend-certificate"


@pytest.fixture
def catalogued(db, example_catalog, example_secrets):
    result = apply_catalog_from(db, example_catalog, clock=FixedClock(NOW), trigger="cli", environ=example_secrets)
    assert result.outcome == "applied"
    return db


@pytest.fixture
def rows(catalogued):
    return HistoryRows(catalogued)


def test_rollups_are_read_by_size_and_range_for_the_checks_asked_for(catalogued, rows):
    rows.rollups(HOME, "day", [(MIDNIGHT - timedelta(days=d), 1440, d) for d in (0, 1, 2, 95)])
    rows.rollups(HOME, "hour", [(MIDNIGHT - timedelta(days=1), 60, 1)])
    rows.rollups(CERT, "day", [(MIDNIGHT - timedelta(days=1), 24, 0)])

    with catalogued.reading() as connection:
        days = history.day_tallies(connection, [HOME], MIDNIGHT - timedelta(days=89), MIDNIGHT)
        hours = history.hour_tallies(connection, [HOME, CERT], MIDNIGHT - timedelta(days=1), MIDNIGHT)

    assert days == {HOME: {(MIDNIGHT - timedelta(days=d)).date(): Tally(1440, d) for d in (1, 2)}}
    assert hours == {HOME: {MIDNIGHT - timedelta(days=1): Tally(60, 1)}}


def test_raw_results_are_read_from_each_checks_own_starting_point(catalogued, rows):
    rows.results(HOME, [(NOW - timedelta(minutes=m), True, 100.0 + m) for m in range(10)])
    rows.results(CERT, [(NOW - timedelta(minutes=m), False, None) for m in range(10)])

    with catalogued.reading() as connection:
        found = history.results_since(
            connection, {HOME: NOW - timedelta(minutes=3, seconds=1), CERT: NOW - timedelta(seconds=1)}
        )

    assert [r.total_ms for r in found[HOME]] == [103.0, 102.0, 101.0, 100.0]  # oldest first
    assert [(r.at, r.ok) for r in found[CERT]] == [(NOW, False)]


def test_raw_results_fill_only_the_minutes_after_the_latest_minute_rollup(catalogued, rows):
    rolled = [(NOW.replace(second=0) - timedelta(minutes=m), 2, 0, 150.0, 250.0) for m in (5, 4, 3)]  # to 14:02
    rows.rollups(HOME, "minute", rolled)
    rows.results(HOME, [(datetime(2026, 11, 26, 14, 1, 10, tzinfo=UTC), False, 9.0)])  # covered by a rollup
    rows.results(HOME, [(datetime(2026, 11, 26, 14, 3, s, tzinfo=UTC), True, 100.0 + s) for s in (0, 30)])
    rows.results(HOME, [(datetime(2026, 11, 26, 14, 5, 0, tzinfo=UTC), False, None)])  # the current minute

    with catalogued.reading() as connection:
        found = read_histories(connection, [HOME, CERT], NOW)[HOME]

    assert [(m.start.strftime("%H:%M"), m.count, m.failures, m.p50_ms) for m in found.minutes] == [
        ("14:00", 2, 0, 150.0),
        ("14:01", 2, 0, 150.0),
        ("14:02", 2, 0, 150.0),
        ("14:03", 2, 0, 100.0),
        ("14:05", 1, 1, None),
    ]
    assert found.days[-1].tally == Tally(9, 1)  # today: three rolled minutes and three raw results
    assert found.uptime == Tally(9, 1)


def test_state_changes_are_newest_first_and_limited(catalogued, rows):
    for n in range(5):
        rows.change(HOME, NOW - timedelta(hours=n), "up" if n % 2 else "down", "down" if n % 2 else "up", f"r{n}")
    rows.change("paas-api", NOW, "up", "down", "other check")

    with catalogued.reading() as connection:
        changes = history.state_changes(connection, [HOME], limit=3)

    assert [c.reason for c in changes] == ["r0", "r1", "r2"]


def test_a_subject_is_read_with_its_owner_and_platform(catalogued):
    with catalogued.reading() as connection:
        service = find_subject(connection, "service", "pay-frontend")
        platform = find_subject(connection, "platform", "paas")
        missing = find_subject(connection, "service", "paas")
        on_paas = services_on(connection, "paas")

    assert service is not None
    assert platform is not None
    assert (service.owner.name, service.owner.platform_team) == ("GOV.UK Pay", False)
    assert (service.platform_id, service.platform_name) == ("paas", "GOV.UK PaaS")
    assert (platform.owner.name, platform.owner.platform_team) == ("Reliability Engineering", True)
    assert missing is None
    assert {s.id for s in on_paas} >= {"pay-frontend", "pay-api"}


def test_the_down_view_sorts_states_into_down_flapping_and_failing(catalogued, rows):
    rows.state("paas-api", "down", since=NOW - timedelta(hours=2), failures=9, recent="0" * 9, reason="HTTP 503")
    rows.state(HOME, "down", since=NOW - timedelta(minutes=3), failures=2, recent="1100", reason="timed out")
    rows.state("notify-api-status", "up", recent="10" * 10, last_ok=False, failures=1)
    rows.state("notify-smtp", "up", failures=1, recent="1110", last_ok=False, reason="refused")
    rows.state(CERT, "up", recent="1111", last_ok=True)
    rows.state("a-check-no-longer-in-the-catalog", "down", since=NOW, failures=5, recent="00000")

    with catalogued.reading() as connection:
        down = in_trouble(connection, "down", 10)
        flapping = in_trouble(connection, "flapping", 10)
        failing = in_trouble(connection, "failing", 10)

    assert [(r.check_id, r.subject_kind, r.subject_id, r.owner.platform_team) for r in down.rows] == [
        ("paas-api", "platform", "paas", True),  # both page; the longer down first
        (HOME, "service", "pay-frontend", False),
    ]
    assert (down.total, down.platform_total) == (2, 1)
    assert down.rows[1].platform_id == "paas"
    assert down.rows[1].owner.name == "GOV.UK Pay"
    assert [r.check_id for r in flapping.rows] == ["notify-api-status"]
    assert [(r.check_id, r.last_reason) for r in failing.rows] == [("notify-smtp", "refused")]


def test_a_section_is_limited_but_counts_everything(catalogued, rows):
    for check in (HOME, CERT, "paas-api", "paas-dns"):
        rows.state(check, "down", since=NOW, failures=3, recent="000")

    with catalogued.reading() as connection:
        section = in_trouble(connection, "down", 2)

    assert len(section.rows) == 2
    assert (section.total, section.platform_total) == (4, 2)


def test_paused_checks_are_left_out_of_the_down_view(catalogued, rows):
    rows.state(HOME, "down", since=NOW, failures=3, recent="000")
    with catalogued.transaction() as connection:
        connection.execute(t.checks.update().where(t.checks.c.id == HOME).values(paused=True))

    view = read_down_now(catalogued, NOW)

    assert view.down.total == 0
    assert view.quiet


def test_the_flapping_filter_in_the_database_agrees_with_the_state_machine(catalogued, rows):
    chance = random.Random(20261126)
    samples = {"", "1", "0" * 20, "10" * 10, "1010101", "101010", "0101010", "111000111000111000"}
    samples |= {"".join(chance.choice("01") for _ in range(chance.randint(1, 20))) for _ in range(300)}
    ids = {f"sample-{n}": recent for n, recent in enumerate(sorted(samples))}
    for check_id, recent in ids.items():
        rows.state(check_id, "up", recent=recent)

    zero, one = flap_patterns()
    states = t.check_states
    query = select(states.c.check_id).where(or_(states.c.recent.like(zero), states.c.recent.like(one)))
    with catalogued.reading() as connection:
        flagged = set(connection.execute(query).scalars())

    expected = {c for c, recent in ids.items() if CheckState(recent=tuple(f == "1" for f in recent)).flapping}
    assert flagged == expected
    assert 0 < len(expected) < len(ids)  # the samples hold both kinds


def count_queries(db):
    statements = []

    def seen(_connection, _cursor, statement, *_rest):
        if statement.strip().upper() != "BEGIN":  # SQLite's explicit BEGIN is not a query
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    return statements


def test_a_page_costs_the_same_number_of_queries_however_many_checks_it_has(catalogued, rows):
    for check in (HOME, CERT):
        rows.rollups(check, "minute", [(NOW.replace(second=0) - timedelta(minutes=m), 2, 0, 1.0, 2.0) for m in (1, 2)])
    statements = count_queries(catalogued)

    read_subject_page(catalogued, "service", "pay-frontend", NOW)  # two checks
    two_checks = len(statements)
    statements.clear()
    read_subject_page(catalogued, "service", "pay-api", NOW)  # one check
    one_check = len(statements)
    statements.clear()
    read_down_now(catalogued, NOW)

    assert two_checks == one_check == 8
    assert len(statements) == 4  # one a section; the services-per-platform count only when a platform is down

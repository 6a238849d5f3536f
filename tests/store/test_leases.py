"""Leases on both backends: one holder at a time, renewed by its holder, taken over once it runs out or is
given up."""

from datetime import UTC, datetime, timedelta

from watchkeeper.store import leases

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def take(db, holder: str, at: datetime) -> bool:
    with db.transaction() as connection:
        return leases.take(connection, "checks", holder, at, TTL)


def test_the_first_taker_holds_the_lease_and_another_waits(db):
    assert take(db, "a", NOW)
    assert not take(db, "b", NOW + timedelta(seconds=1))
    with db.reading() as connection:
        assert leases.holder_of(connection, "checks", NOW + timedelta(seconds=1)) == "a"


def test_the_holder_renews_and_keeps_it_past_the_first_term(db):
    assert take(db, "a", NOW)
    assert take(db, "a", NOW + timedelta(seconds=20))
    assert not take(db, "b", NOW + timedelta(seconds=40))  # renewed at 20 s, so held until 50 s


def test_a_lease_nobody_renews_is_taken_over_and_its_old_holder_cannot_renew(db):
    assert take(db, "a", NOW)
    assert take(db, "b", NOW + TTL)
    assert not take(db, "a", NOW + TTL + timedelta(seconds=1))


def test_a_lease_given_up_is_free_at_once(db):
    assert take(db, "a", NOW)
    with db.transaction() as connection:
        leases.give_up(connection, "checks", "a", NOW + timedelta(seconds=1))
    assert take(db, "b", NOW + timedelta(seconds=1))


def test_giving_up_a_lease_held_by_another_changes_nothing(db):
    assert take(db, "a", NOW)
    with db.transaction() as connection:
        leases.give_up(connection, "checks", "b", NOW)
    assert not take(db, "b", NOW + timedelta(seconds=1))

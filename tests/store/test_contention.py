"""Transactions that lose a race run again, a few times at most; a key's writers on PostgreSQL go one at a time."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.contention import ATTEMPTS, Contended, in_transaction, lock_keys

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _silence(connection: Connection, silence_id: int) -> None:
    connection.execute(
        insert(t.silences).values(
            id=silence_id, matchers=[], starts_at=T0, ends_at=T0, author="a", comment="c", created_at=T0
        )
    )


def _comments(db: Database) -> dict[int, str]:
    with db.reading() as connection:
        return {row.id: row.comment for row in connection.execute(select(t.silences.c.id, t.silences.c.comment))}


def test_a_transaction_chosen_as_a_deadlock_victim_runs_again(postgres_db: Database) -> None:
    with postgres_db.transaction() as connection:
        _silence(connection, 1)
        _silence(connection, 2)
    both_hold_one = threading.Barrier(2, timeout=10)
    runs: list[str] = []

    def writer(order: tuple[int, int]) -> None:
        """Locks one row, waits until the other writer holds the other, then wants that one too."""

        def work(connection: Connection) -> None:
            first_run = f"{order}" not in runs
            runs.append(f"{order}")
            for silence_id in order:
                connection.execute(update(t.silences).where(t.silences.c.id == silence_id).values(comment="by"))
                if first_run and silence_id == order[0]:
                    both_hold_one.wait()

        in_transaction(postgres_db, work)

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(writer, (1, 2)), pool.submit(writer, (2, 1))]
        [future.result(timeout=30) for future in done]

    assert len(runs) == 3, "the deadlock's victim ran once more; the other once"
    assert _comments(postgres_db) == {1: "by", 2: "by"}


def test_a_unique_violation_runs_again_on_postgresql_and_is_a_bug_on_sqlite(db: Database) -> None:
    with db.transaction() as connection:
        _silence(connection, 1)
    attempts: list[int] = []

    def work(connection: Connection) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            _silence(connection, 1)  # as a trigger inserting the alert that another has just opened
        return "done"

    if db.is_sqlite:  # one writer at a time: a unique violation cannot be a race there
        with pytest.raises(IntegrityError):
            in_transaction(db, work)
        assert len(attempts) == 1
    else:
        assert in_transaction(db, work) == "done"
        assert len(attempts) == 2


def test_a_race_lost_on_every_attempt_is_contended_and_stores_nothing(postgres_db: Database) -> None:
    with postgres_db.transaction() as connection:
        _silence(connection, 1)
    attempts: list[int] = []

    def work(connection: Connection) -> None:
        attempts.append(1)
        _silence(connection, 2)
        _silence(connection, 1)

    with pytest.raises(Contended, match=rf"at the same moment {ATTEMPTS} times \(unique violation\); try again"):
        in_transaction(postgres_db, work)

    assert len(attempts) == ATTEMPTS
    assert list(_comments(postgres_db)) == [1]


def test_any_other_error_is_raised_at_once(db: Database) -> None:
    attempts: list[int] = []

    def work(connection: Connection) -> None:
        attempts.append(1)
        connection.execute(insert(t.silences).values(id=1))  # NOT NULL columns missing: a bug, not a race

    with pytest.raises(IntegrityError):
        in_transaction(db, work)
    assert len(attempts) == 1


def test_writers_of_one_key_on_postgresql_go_one_after_the_other(postgres_db: Database) -> None:
    held = threading.Event()
    timeline: list[str] = []

    def first() -> None:
        with postgres_db.transaction() as connection:
            lock_keys(connection, ["generic:pay:b", "generic:pay:a"])
            held.set()
            time.sleep(0.3)
            timeline.append("first commits")

    def second(keys: list[str]) -> None:
        held.wait(10)
        with postgres_db.transaction() as connection:
            lock_keys(connection, keys)
            timeline.append(f"{keys[0]} locked")

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [
            pool.submit(first),
            pool.submit(second, ["generic:pay:other"]),
            pool.submit(second, ["generic:pay:a"]),
        ]
        [future.result(timeout=30) for future in futures]

    assert timeline == ["generic:pay:other locked", "first commits", "generic:pay:a locked"]

"""JSON columns refuse NaN and Infinity on both backends, and a SQLite row that kept one from before reads as null."""

import math
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import StatementError

from watchkeeper.store import Database
from watchkeeper.store import tables as t

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_json_column_refuses_what_is_not_json_on_every_backend(db: Database, number: float) -> None:
    row = {"matchers": [{"value": number}], "starts_at": T0, "ends_at": T0, "author": "a", "comment": "c"}

    # SQLAlchemy serialises for SQLite (and wraps the error); psycopg serialises for PostgreSQL (and does not).
    with pytest.raises((StatementError, ValueError)) as refused, db.transaction() as connection:
        connection.execute(insert(t.silences).values(**row, created_at=T0))

    cause = refused.value.orig if isinstance(refused.value, StatementError) else refused.value
    assert str(cause) == "Out of range float values are not JSON compliant"
    with db.reading() as connection:
        assert connection.execute(select(t.silences)).first() is None


def test_infinity_that_sqlite_kept_before_reads_as_null(sqlite_db: Database) -> None:
    with sqlite_db.transaction() as connection:
        connection.exec_driver_sql(
            "INSERT INTO silences (matchers, starts_at, ends_at, author, comment, created_at) "
            """VALUES ('[{"a": Infinity, "b": -Infinity, "c": NaN, "d": 1.5}]', ?, ?, 'a', 'c', ?)""",
            ("2026-11-26 12:00:00.000000",) * 3,
        )

    with sqlite_db.reading() as connection:
        matchers = connection.execute(select(t.silences.c.matchers)).scalar_one()

    assert matchers == [{"a": None, "b": None, "c": None, "d": 1.5}]

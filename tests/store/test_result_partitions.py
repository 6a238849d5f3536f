"""PostgreSQL keeps raw results in a partition per UTC day: made by the migration and ahead by housekeeping,
dropped whole, with a default partition so that no insert ever fails. (SQLite keeps one table.)"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from watchkeeper.services.housekeeping import RetentionPolicy, housekeep
from watchkeeper.store import Database, partitions
from watchkeeper.store import tables as t
from watchkeeper.store.migrate import _config, head_revision

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def day_partitions(db: Database) -> set[date]:
    with db.reading() as connection:
        return set(partitions.day_partitions(connection))


def partition_of(db: Database, check_id: str) -> str:
    query = text("SELECT tableoid::regclass::text FROM check_results WHERE check_id = :check")
    with db.reading() as connection:
        return str(connection.execute(query, {"check": check_id}).scalar_one())


def add_result(db: Database, check_id: str, at: datetime) -> None:
    with db.transaction() as connection:
        connection.execute(insert(t.check_results).values(check_id=check_id, at=at, ok=True, reason="ok"))


def test_the_migration_partitions_results_by_day_with_a_default(db):
    today = datetime.now(UTC).date()
    with db.reading() as connection:
        kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = 'check_results'")).scalar()
        default = connection.execute(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'check_results'::regclass AND c.relpartbound IS NOT NULL "
                "AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'"
            )
        ).scalar()
        key = connection.execute(
            text(
                "SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = 'check_results'::regclass AND i.indisprimary"
            )
        ).scalar()

    assert kind == "p"
    assert default == "check_results_default"
    assert sorted(key) == ["at", "id"]
    assert {today + timedelta(days=n) for n in range(3)} <= day_partitions(db)  # even if the session crossed midnight


def test_housekeeping_makes_the_partitions_of_the_days_ahead(db):
    now = datetime(2027, 6, 1, 23, 59, tzinfo=UTC)

    report = housekeep(db, now, RetentionPolicy(), budget=None)

    ahead = {date(2027, 5, 31), date(2027, 6, 1), date(2027, 6, 2), date(2027, 6, 3), date(2027, 6, 4)}
    assert ahead <= day_partitions(db)
    assert set(report.partitions_made) == ahead
    assert housekeep(db, now, RetentionPolicy(), budget=None).partitions_made == []


def test_an_insert_on_a_day_without_a_partition_succeeds_and_moves_when_its_day_is_made(db):
    add_result(db, "far-future", datetime(2031, 1, 1, 0, 0, 1, tzinfo=UTC))
    in_default = partition_of(db, "far-future")

    with db.transaction() as connection:
        made = partitions.create_day_partitions(connection, [date(2031, 1, 1)])

    assert in_default == "check_results_default"
    assert made == partitions.Made([date(2031, 1, 1)], moved=1)
    assert partition_of(db, "far-future") == "check_results_p20310101"


def test_results_just_after_midnight_find_their_day_made_ahead(db):
    now = datetime(2027, 6, 1, 23, 59, 30, tzinfo=UTC)
    housekeep(db, now, RetentionPolicy(), budget=None)

    add_result(db, "after-midnight", datetime(2027, 6, 2, 0, 0, 0, tzinfo=UTC))

    assert partition_of(db, "after-midnight") == "check_results_p20270602"


def test_days_past_retention_are_dropped_whole(db):
    with db.transaction() as connection:
        partitions.create_day_partitions(connection, [date(2027, 5, 29) + timedelta(days=n) for n in range(6)])
    for n in range(6):
        add_result(db, f"day-{n}", datetime(2027, 5, 29, 12, tzinfo=UTC) + timedelta(days=n))
    now = datetime(2027, 6, 10, 12, tzinfo=UTC)  # keeping 7 days keeps 3 June 12:00 on, so 3 June whole

    report = housekeep(db, now, RetentionPolicy(results=timedelta(days=7)), budget=None)

    left = day_partitions(db)
    assert min(left) == date(2027, 6, 3)
    assert {date(2027, 5, 29), date(2027, 6, 2)} <= set(report.partitions_dropped)
    with db.reading() as connection:
        checks = set(connection.execute(select(t.check_results.c.check_id)).scalars())
    assert checks == {"day-5"}  # 3 June; 12:00 on 3 June is the cutoff, and the day is kept whole
    assert report.results_deleted == 0  # nothing was deleted row by row


def test_a_drop_that_cannot_have_its_lock_at_once_is_left_for_the_next_pass(db):
    with db.transaction() as connection:
        partitions.create_day_partitions(connection, [date(2020, 1, 1)])
    blocker = db.engine.connect()
    blocker.execute(text("LOCK TABLE check_results IN ACCESS SHARE MODE"))  # a long read, say
    try:
        dropped = partitions.drop_day_partitions_before(db, date(2020, 1, 2))
    finally:
        blocker.rollback()
        blocker.close()

    assert dropped.days == []
    assert dropped.put_off is not None
    assert "lock timeout" in dropped.put_off
    assert date(2020, 1, 1) in day_partitions(db)
    assert partitions.drop_day_partitions_before(db, date(2020, 1, 2)).days == [date(2020, 1, 1)]


@pytest.fixture
def at_revision_0004(database_url: str) -> Iterator[Database]:
    """An empty database migrated only up to 0004, the last revision with an unpartitioned check_results."""
    name = f"wk_before_partitions_{make_url(database_url).database}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    database = Database(make_url(database_url).set(database=name).render_as_string(hide_password=False))
    command.upgrade(_config(database.engine), "0004")
    yield database
    database.dispose()


def test_the_migration_moves_existing_results_into_their_days(at_revision_0004):
    db = at_revision_0004
    stamps = [datetime(2026, 1, 5, 23, 59, 59, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC)]
    for n, at in enumerate(stamps):
        add_result(db, f"old-{n}", at)

    db.upgrade()
    add_result(db, "new", datetime.now(UTC))

    assert partition_of(db, "old-0") == "check_results_p20260105"
    assert partition_of(db, "old-1") == "check_results_p20260106"
    with db.reading() as connection:
        ids = dict(connection.execute(select(t.check_results.c.check_id, t.check_results.c.id)).all())
        id_type = connection.execute(
            text(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'check_results' AND column_name = 'id'"
            )
        ).scalar()
    assert ids == {"old-0": 1, "old-1": 2, "new": 3}
    assert id_type == "bigint"


def test_downgrading_puts_the_results_back_in_one_table(at_revision_0004):
    db = at_revision_0004
    db.upgrade()
    add_result(db, "kept", datetime(2026, 1, 5, 12, tzinfo=UTC))

    command.downgrade(_config(db.engine), "0004")

    with db.reading() as connection:
        kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = 'check_results'")).scalar()
        checks = list(connection.execute(select(t.check_results.c.check_id)).scalars())
    assert kind == "r"
    assert checks == ["kept"]
    assert db.upgrade() == head_revision()

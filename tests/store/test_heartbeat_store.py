"""What the heartbeat watch keeps in the database: pings marked seen with the results they became, when watching
each check began, and the migration that brings both to a database an older engine used."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from watchkeeper.catalog import load_catalog
from watchkeeper.domain.state import CheckState
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import FixedClock
from watchkeeper.store import Database
from watchkeeper.store import heartbeats as store
from watchkeeper.store import tables as t
from watchkeeper.store.check_runs import RunRecord, save_runs
from watchkeeper.store.migrate import _config, head_revision

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def ping(check_id: str, at: datetime, kind: str = "success") -> dict[str, object]:
    return {"check_id": check_id, "at": at, "kind": kind, "exit_code": None, "body": None}


def add_pings(db: Database, *pings: dict[str, object]) -> None:
    with db.transaction() as connection:
        connection.execute(insert(t.heartbeat_pings), list(pings))


def seen_by_kind(db: Database) -> dict[str, bool]:
    pings = t.heartbeat_pings
    with db.reading() as connection:
        return {f"{row.check_id} {row.kind}": row.seen for row in connection.execute(select(pings))}


def test_a_saved_result_marks_the_ping_it_came_from_seen_and_no_other(db):
    add_pings(db, ping("job", T0), ping("job", T0, "fail"))
    with db.reading() as connection:
        first, second = store.unseen_pings(connection, 10)

    with db.transaction() as connection:
        save_runs(connection, [RunRecord("job", T0, True, "ping received", {}, CheckState(), (), ping_id=first.id)])

    with db.reading() as connection:
        assert store.unseen_pings(connection, 10) == [second]


def test_unseen_pings_come_oldest_first_up_to_the_limit(db):
    add_pings(db, *(ping("job", T0 + timedelta(seconds=n)) for n in range(5)))
    with db.transaction() as connection:
        store.mark_seen(connection, [1])

    with db.reading() as connection:
        read = store.unseen_pings(connection, 3)

    assert [p.id for p in read] == [2, 3, 4]
    assert read[0] == store.Ping(2, "job", T0 + timedelta(seconds=1), "success", None)


def test_the_latest_run_is_the_latest_success_or_failure_not_a_start(db):
    add_pings(
        db, ping("a", T0), ping("a", T0 + timedelta(hours=1), "fail"), ping("a", T0 + timedelta(hours=2), "start")
    )

    with db.reading() as connection:
        assert store.latest_runs(connection) == {"a": T0 + timedelta(hours=1)}


def test_the_first_start_recorded_for_a_check_stands(db):
    with db.transaction() as connection:
        store.start_watching(connection, ["a"], T0)
    with db.transaction() as connection:  # a second engine, a moment later, sees the check as new too
        store.start_watching(connection, ["a", "b"], T0 + timedelta(seconds=2))
    with db.transaction() as connection:
        store.stop_watching(connection, ["b"])

    with db.reading() as connection:
        assert store.watch_starts(connection) == {"a": T0}


# --- the migration from an engine that kept its place in memory -----------------------------------------------


@pytest.fixture
def at_revision_0006(database_url: str, tmp_path: Path) -> Iterator[Database]:
    """An empty database migrated only up to 0006, before the watch kept its state in the database."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/before.db"
    else:
        name = f"wk_before_watches_{make_url(database_url).database}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    command.upgrade(_config(database.engine), "0006")
    yield database
    database.dispose()


def test_the_migration_leaves_unseen_only_pings_no_engine_had_read(at_revision_0006, tmp_path):
    db = at_revision_0006
    path = tmp_path / "catalog.yaml"
    path.write_text(
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        "      - {id: read, type: heartbeat, period: 1h, grace: 5m}\n"
        "      - {id: never, type: heartbeat, period: 1h, grace: 5m}\n"
        "      - {id: paused, type: heartbeat, period: 1h, grace: 5m, paused: true}\n"
    )
    # The catalog is loaded by today's code, which writes today's tables, and the schema then taken back to 0006.
    command.upgrade(_config(db.engine), "head")
    assert apply_loaded(db, load_catalog(path), source="x", clock=FixedClock(T0), trigger="cli").ok
    command.downgrade(_config(db.engine), "0006")
    later = T0 + timedelta(hours=2)
    with db.transaction() as connection:  # only the columns revision 0006 has
        connection.execute(
            insert(t.check_states).values(
                check_id="read", status="up", failures=0, successes=1, recent="1", last_at=later
            )
        )
        for check_id, at, kind in [
            ("read", T0 + timedelta(hours=1), "success"),  # read by the old engine: its result came later
            ("read", later + timedelta(minutes=5), "fail"),  # came while no engine ran
            ("never", T0, "success"),  # its check has no result at all
        ]:
            connection.execute(insert(t.heartbeat_pings).values(check_id=check_id, at=at, kind=kind))

    assert db.upgrade() == head_revision()

    assert seen_by_kind(db) == {"read success": True, "read fail": False, "never success": False}
    with db.reading() as connection:
        assert store.watch_starts(connection) == {"read": T0, "never": T0}  # when each was created


def test_the_migration_can_be_undone(at_revision_0006):
    db = at_revision_0006
    db.upgrade()

    command.downgrade(_config(db.engine), "0006")

    with db.reading() as connection:
        columns = [c["name"] for c in db.engine.dialect.get_columns(connection, "heartbeat_pings")]
        tables = db.engine.dialect.get_table_names(connection)
    assert "seen" not in columns
    assert "heartbeat_watches" not in tables
    assert db.upgrade() == head_revision()

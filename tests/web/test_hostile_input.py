"""Odd text where a token or a value goes: a non-ASCII CSRF or sign-in form token is merely a wrong one, and a
NUL character is refused with the reason on both databases (PostgreSQL cannot store one; SQLite would), never a
server error, and nothing is stored."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from console_site import FATIMA, GEORGE, ConsoleSite, console_site
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.web.guard import NUL_REFUSED, Guard


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    yield made
    for client in made.clients:
        client.close()


def _silences(db: Database) -> int:
    with db.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(t.silences)).scalar_one())


@pytest.mark.parametrize("where", ["form", "header"])
def test_a_csrf_token_that_is_not_ascii_is_a_wrong_one(site, where):
    client = site.client(FATIMA)
    del client.headers["x-csrf-token"]

    if where == "form":
        answer = client.post("/silences", data={"csrf_token": "é", "matchers": "team=pay", "duration": "1h"})
    else:
        headers = {"X-CSRF-Token": b"\xe9"}  # a header is Latin-1: é
        answer = client.post("/api/v1/silences", json={"matchers": ["team=pay"], "duration": "1h"}, headers=headers)

    assert answer.status_code == 403
    assert _silences(site.db) == 0


def test_a_sign_in_form_token_that_is_not_ascii_is_an_expired_form(site):
    browser = site.client(None)
    assert browser.get("/login").status_code == 200  # sets the form's own cookie

    answer = browser.post("/login", data={"email": "a@example.org", "password": "p", "login_token": "é"})

    assert answer.status_code == 400
    assert "The sign-in form had expired" in answer.text


NUL_CASES = [
    pytest.param(
        "post",
        "/api/v1/silences",
        {"json": {"matchers": ["team=pay", "service=pay\x00"], "duration": "1h", "comment": "c"}},
        400,
        "the value of service has a control character",
        id="api-silence",
    ),
    pytest.param(
        "post",
        "/silences",
        {"data": {"matchers": "team=pay\nservice=pay\x00", "duration": "1h", "comment": "c"}},
        400,
        "the value of service has a control character",
        id="console-silence",
    ),
    pytest.param(
        "post",
        "/maintenance",
        {"data": {"name": "n", "kind": "service", "ids": "pay\x00", "duration": "2h"}},
        400,
        "is not a service id",
        id="console-maintenance",
    ),
    pytest.param(
        "get", "/api/v1/audit", {"params": {"actor": "a\x00@example.org"}}, 400, "control characters", id="audit-who"
    ),
    pytest.param("get", "/oncall/schedules/pay%00", {}, 404, "No schedule with this id", id="schedule-path"),
]


@pytest.mark.parametrize(("method", "path", "request_args", "status", "reason"), NUL_CASES)
def test_a_nul_character_is_refused_with_the_reason(site, method, path, request_args, status, reason):
    answer = getattr(site.client(GEORGE), method)(path, **request_args)

    assert answer.status_code == status, answer.text
    assert reason in answer.text.replace("&#39;", "'")
    assert _silences(site.db) == 0


def test_a_nul_that_reaches_postgresql_is_a_400_and_nothing_is_written(postgres_db):
    """The net under the checks above: a route that lets a NUL through to PostgreSQL answers 400, not 500."""
    app = FastAPI()

    @app.post("/write")
    def write(value: str) -> None:
        with postgres_db.transaction() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS scratch (v text)"))
            connection.execute(text("INSERT INTO scratch VALUES ('before')"))
            connection.execute(text("INSERT INTO scratch VALUES (:v)"), {"v": value})

    @app.post("/fail")
    def fail() -> None:
        raise RuntimeError("something else")

    app.add_middleware(Guard)  # where the app puts it: inside Starlette's own last-resort handler
    client = TestClient(app, raise_server_exceptions=False)

    answer = client.post("/write", params={"value": "a\x00b"})
    other = client.post("/fail")

    assert answer.status_code == 400
    assert answer.json()["detail"] == NUL_REFUSED
    assert other.status_code == 500
    with postgres_db.reading() as connection:
        tables = connection.execute(text("SELECT to_regclass('scratch') IS NOT NULL")).scalar_one()
    assert tables is False  # the transaction rolled back whole

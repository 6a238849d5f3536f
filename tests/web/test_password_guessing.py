"""A password guesser gets five tries an email, however they send them: all at once, or at the account page of a
borrowed session; and a one-time sign-in link's secret never reaches the request log."""

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from console_site import ConsoleSite, console_site
from signed_in import PASSWORD, Person
from watchkeeper.services import sign_in
from watchkeeper.services.accounts import NewAccount, create_account
from watchkeeper.services.audit import cli_actor
from watchkeeper.services.refusals import Refused
from watchkeeper.services.sign_in import TooManyAttempts
from watchkeeper.store import Database
from watchkeeper.store import tables as t

EMAIL = "guessed@example.org"
NEW = "a brand new password"


@pytest.fixture
def site(db: Database, example_catalog: Path, example_secrets: dict[str, str]) -> Iterator[ConsoleSite]:
    made = console_site(db, example_catalog, example_secrets)
    create_account(db, made.clock.now(), NewAccount(email=EMAIL, role="viewer", password=PASSWORD), cli_actor("t"))
    yield made
    for client in made.clients:
        client.close()


def _failures(db: Database, key: str) -> int:
    with db.reading() as connection:
        query = select(func.count()).select_from(t.sign_in_failures).where(t.sign_in_failures.c.key == key)
        return int(connection.execute(query).scalar_one())


def test_guesses_sent_all_at_once_get_five_checks_between_them(site):
    now = site.clock.now()
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def guess(number: int) -> None:
        start.wait()
        try:
            sign_in.with_password(site.db, now, EMAIL, f"wrong guess {number}", f"10.0.0.{number}")
        except TooManyAttempts:
            outcomes.append("locked")
        except Refused:
            outcomes.append("checked")

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["checked"] * sign_in.EMAIL_FAILURES + ["locked"] * (10 - sign_in.EMAIL_FAILURES)
    with pytest.raises(TooManyAttempts):
        sign_in.with_password(site.db, now, EMAIL, PASSWORD, "10.0.0.99")  # the right one too, for a while


def test_a_right_password_forgets_the_emails_failures_and_does_not_count_against_its_address(site):
    now = site.clock.now()
    for number in range(sign_in.EMAIL_FAILURES - 1):
        with pytest.raises(Refused):
            sign_in.with_password(site.db, now, EMAIL, f"wrong {number}", "192.0.2.7")

    signed = sign_in.with_password(site.db, now, EMAIL, PASSWORD, "192.0.2.7")

    assert signed.account.email == EMAIL
    assert _failures(site.db, f"email:{EMAIL}") == 0
    assert _failures(site.db, "client:192.0.2.7") == sign_in.EMAIL_FAILURES - 1  # the wrong ones, not the right one


def _change(client: TestClient, current: str) -> httpx.Response:
    return client.post("/account/password", data={"current": current, "new": NEW, "again": NEW})


def test_the_account_pages_current_password_is_locked_like_a_sign_in(site):
    client = site.client(Person(EMAIL, role="viewer"))

    wrong = [_change(client, f"a wrong guess {n}").status_code for n in range(sign_in.EMAIL_FAILURES)]
    locked = _change(client, PASSWORD)

    assert wrong == [400] * sign_in.EMAIL_FAILURES
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this email" in locked.text
    with pytest.raises(TooManyAttempts):  # one lockout: the sign-in page is closed to the guesser too
        sign_in.with_password(site.db, site.clock.now(), EMAIL, PASSWORD, "198.51.100.1")


def test_the_right_current_password_changes_it_and_the_lock_opens_after_the_window(site):
    client = site.client(Person(EMAIL, role="viewer"))
    for n in range(sign_in.EMAIL_FAILURES):
        _change(client, f"a wrong guess {n}")
    site.clock.advance(sign_in.FAILURE_WINDOW + timedelta(seconds=1))
    client = site.client(Person(EMAIL, role="viewer"))

    changed = _change(client, PASSWORD)

    assert changed.status_code == 200  # followed to the sign-in page: every session has ended
    assert sign_in.with_password(site.db, site.clock.now(), EMAIL, NEW, "198.51.100.1").account.email == EMAIL


def test_a_sign_in_links_secret_never_reaches_the_request_log(site, caplog):
    made = site.client().post("/api/v1/accounts", json={"email": "new@example.org", "role": "viewer"})
    secret = made.json()["sign_in_link"].rsplit("/", 1)[1]

    with caplog.at_level(logging.INFO):
        shown = site.client(None).get(f"/login/link/{secret}")
        used = site.client(None).post(f"/login/link/{secret}", follow_redirects=False)

    logged = " ".join(str(record.msg) for record in caplog.records if record.name.startswith("watchkeeper"))
    assert (shown.status_code, used.status_code) == (200, 303)
    assert "/login/link/<token>" in logged
    assert secret not in logged

"""Heartbeat ping URLs: a job reports in with GET, HEAD or POST; the token is the only credential."""

import http.client
import socket
import threading
import time

import pytest
import uvicorn
from sqlalchemy import select

from watchkeeper.services.heartbeats import ping_token
from watchkeeper.store import tables as t
from watchkeeper.web.pings import READ_LIMIT

SECRET_KEY = "web-tests-secret-key-0123456789-abcdefghij"  # as in conftest.py


def pings(db):
    with db.reading() as connection:
        return connection.execute(select(t.heartbeat_pings).order_by(t.heartbeat_pings.c.id)).mappings().all()


def url(check_id: str) -> str:
    return f"/ping/{ping_token(SECRET_KEY, check_id)}"


def test_a_ping_is_recorded_for_its_check(loaded):
    response = loaded.client.get(url("pay-reconciliation"))

    assert response.status_code == 200
    assert response.text == "OK\n"
    [ping] = pings(loaded.db)
    assert (ping["check_id"], ping["kind"], ping["exit_code"]) == ("pay-reconciliation", "success", None)


@pytest.mark.parametrize(
    ("suffix", "kind", "code"),
    [("/start", "start", None), ("/fail", "fail", None), ("/0", "success", 0), ("/3", "fail", 3)],
)
def test_runs_report_start_failure_and_exit_codes(loaded, suffix, kind, code):
    assert loaded.client.post(url("pay-reconciliation") + suffix).status_code == 200

    [ping] = pings(loaded.db)
    assert (ping["kind"], ping["exit_code"]) == (kind, code)


def test_a_posted_body_is_kept_up_to_ten_kilobytes(loaded):
    loaded.client.post(url("pay-reconciliation") + "/fail", content=b"error: disk full\n" + b"x" * 20_000)

    [ping] = pings(loaded.db)
    assert ping["body"].startswith("error: disk full")
    assert len(ping["body"]) == 10 * 1024


def test_head_works_for_monitoring_tools_that_only_send_head(loaded):
    assert loaded.client.head(url("pay-reconciliation")).status_code == 200
    assert len(pings(loaded.db)) == 1


@pytest.mark.parametrize("path", ["/ping/not-a-token", url("pay-api-health"), url("pay-reconciliation") + "/256"])
def test_unknown_tokens_and_bad_codes_are_refused_and_nothing_is_recorded(loaded, path):
    response = loaded.client.get(path)

    assert response.status_code in (400, 404)
    assert response.headers["content-type"] == "application/problem+json"
    assert pings(loaded.db) == []


def test_tokens_depend_on_the_key():
    assert ping_token(SECRET_KEY, "x") != ping_token(SECRET_KEY + "!", "x")
    assert len(ping_token(SECRET_KEY, "x")) == 22


def test_a_ping_token_is_never_written_to_the_request_log():
    from watchkeeper.web.guard import _loggable

    assert _loggable("/ping/oo-Tb60scVBAFqPKOZlc1A/fail") == "/ping/<token>/fail"
    assert _loggable("/ping/oo-Tb60scVBAFqPKOZlc1A") == "/ping/<token>"
    assert _loggable("/services/pay") == "/services/pay"


def test_a_ping_token_is_not_written_to_the_request_log_when_served(loaded, caplog):
    token = ping_token(SECRET_KEY, "pay-reconciliation")

    assert loaded.client.get(f"/ping/{token}").status_code == 200

    server_lines = [record.getMessage() for record in caplog.records if record.name.startswith("watchkeeper")]
    assert server_lines, "the request was not logged at all"
    assert not [line for line in server_lines if token in line]


def test_a_ping_with_a_long_log_as_its_body_is_recorded(loaded):
    log = b"error: disk full\n" + b"log line\n" * 200_000  # a 1.8 MB job log: over the 1 MiB cap on other bodies

    response = loaded.client.post(url("pay-reconciliation") + "/fail", content=log)

    assert response.status_code == 200
    [ping] = pings(loaded.db)
    assert ping["kind"] == "fail"
    assert ping["body"] == log[: 10 * 1024].decode()


def test_a_long_log_sent_in_chunks_is_recorded(loaded):
    def chunks():
        yield b"started\n"
        for _ in range(30):
            yield b"x" * 100_000

    response = loaded.client.post(url("pay-reconciliation"), content=chunks())

    assert response.status_code == 200
    [ping] = pings(loaded.db)
    assert ping["body"].startswith("started\nxxx")
    assert len(ping["body"]) == 10 * 1024


def test_a_body_past_the_read_limit_still_counts_as_a_ping(loaded):
    response = loaded.client.post(url("pay-reconciliation") + "/3", content=b"y" * (READ_LIMIT + 1024 * 1024))

    assert response.status_code == 200
    [ping] = pings(loaded.db)
    assert (ping["kind"], ping["exit_code"], len(ping["body"])) == ("fail", 3, 10 * 1024)


def test_other_bodies_keep_their_cap(loaded):
    response = loaded.client.post(
        "/api/v1/services", content=b"z" * (2 * 1024 * 1024), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


def test_a_client_that_sends_all_of_a_huge_body_before_reading_gets_its_answer(loaded):
    """Over a real socket, as curl does it: the whole body first, then the answer, past the read limit."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(loaded.client.app, log_config=None, access_log=False, lifespan="off", timeout_keep_alive=1)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        connection = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=20)
        connection.request("POST", url("pay-reconciliation") + "/fail", body=b"log\n" * (3 * 1024 * 1024))
        answer = connection.getresponse()
        status, text = answer.status, answer.read()
        connection.close()
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()

    assert (status, text) == (200, b"OK\n")
    [ping] = pings(loaded.db)
    assert ping["body"] == "log\n" * 2560

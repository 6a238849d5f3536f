"""HTTP details real clients rely on: HEAD, Allow on 405, 415 and 413 as problems, and no 500 for bad input."""

import pytest


def test_head_answers_like_get_without_a_body(loaded):
    response = loaded.client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""
    assert loaded.client.head("/").status_code == 200


def test_a_wrong_method_says_which_are_allowed(loaded):
    response = loaded.client.delete("/healthz")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_api_writes_must_be_json(loaded, content_type):
    headers = {"content-type": content_type} if content_type else {}

    response = loaded.client.post("/api/v1/services", content=b'{"id": "x"}', headers=headers)

    assert response.status_code == 415
    assert response.json()["title"] == "Unsupported media type"


def test_a_body_over_the_limit_is_refused_before_it_is_read(loaded):
    response = loaded.client.post(
        "/api/v1/services", content=b"[" + b"1," * 600_000 + b"1]", headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "the body is over 1048576 bytes"


def test_a_streamed_body_over_the_limit_is_refused(loaded):
    def chunks():
        for _ in range(20):
            yield b" " * 100_000

    response = loaded.client.post("/api/v1/services", content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        {"id": "nul1", "name": "N\u0000x", "owner": "pay"},
        {"id": "nul2", "name": "N", "owner": "pay", "description": "bell\u0007"},
        {"id": "js", "name": "N", "owner": "pay", "runbook": "javascript:alert(1)"},
        {"id": "dep", "name": "N", "owner": "pay", "depends_on": ["Not An Id"]},
    ],
)
def test_bad_text_is_a_422_on_every_backend(loaded, body):
    response = loaded.client.post("/api/v1/services", json=body)

    assert response.status_code == 422
    assert loaded.client.get(f"/api/v1/services/{body['id']}").status_code == 404


@pytest.mark.parametrize("bad_id", ["%00", "Not%20An%20Id", "a" * 200])
def test_ids_in_paths_are_checked_before_any_query(loaded, bad_id):
    assert loaded.client.get(f"/api/v1/teams/{bad_id}").status_code == 422
    assert loaded.client.get(f"/api/v1/services/{bad_id}").status_code == 422
    assert loaded.client.delete(f"/api/v1/services/{bad_id}").status_code == 422


def test_an_unexpected_error_is_a_problem_and_logged_once(loaded, monkeypatch, caplog):
    import watchkeeper.web.api.teams as teams_api

    def broken(_db):
        raise RuntimeError("boom")

    monkeypatch.setattr(teams_api, "read_catalogue", broken)

    response = loaded.client.get("/api/v1/teams/pay")

    assert response.status_code == 500
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal server error",
        "status": 500,
        "detail": "the error has been logged",
    }
    assert "boom" not in response.text
    assert caplog.text.count("unhandled error") == 1


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/v1/teams/", "/api/v1/teams"),
        ("/down/?since=1h", "/down?since=1h"),
        ("/api/v1/teams//", "/api/v1/teams"),
        ("/assets", "/assets/"),
        ("/services/a%3Fb/", "/services/a%3Fb"),
    ],
)
def test_a_trailing_slash_redirect_stays_on_this_server_whatever_the_host_header(loaded, path, location):
    response = loaded.client.get(path, headers={"host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 307
    assert response.headers["location"] == location


def test_a_trailing_slash_redirect_leads_to_the_page(loaded):
    response = loaded.client.get("/api/v1/teams/")

    assert response.status_code == 200
    assert response.url.path == "/api/v1/teams"


def test_a_path_that_matches_neither_way_is_not_found(loaded):
    response = loaded.client.get("/nowhere/", follow_redirects=False)

    assert response.status_code == 404
    assert "location" not in response.headers

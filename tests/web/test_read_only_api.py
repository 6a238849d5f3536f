"""Objects that only catalog files make are read-only through the API: a write is a 409 that names the file and
line to edit, an unknown id a 404, and nothing changes."""

import re
from pathlib import Path

import pytest

from signed_in import Person, token_for

OBJECTS = [
    # path, id, the file that defines it, the noun in the answer
    ("teams", "pay", "teams/pay.yaml", "team"),
    ("people", "fatima", "teams/pay.yaml", "person"),
    ("platforms", "paas", "platforms.yaml", "platform"),
    ("checks", "paas-api", "platforms.yaml", "check"),
    ("checks", "pay-api-health", "teams/pay.yaml", "check"),
    ("schedules", "notify-on-call", "teams/notify.yaml", "schedule"),
    ("escalation-policies", "pay-default", "teams/pay.yaml", "escalation policy"),
    ("integrations", "pay-sentry", "teams/pay.yaml", "integration"),
    ("maintenance/catalog", "paas-weekly-patching", "platforms.yaml", "recurring maintenance window"),
]
VERBS = {"PUT": "replaced", "PATCH": "changed", "DELETE": "deleted"}


def _line_of(catalog: Path, file: str, object_id: str) -> int:
    lines = (catalog / file).read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if re.fullmatch(rf"\s*- id: {re.escape(object_id)}\s*", text))


@pytest.mark.parametrize(("path", "object_id", "file", "noun"), OBJECTS)
def test_a_change_to_a_catalog_object_names_the_file_and_line_to_edit(loaded, path, object_id, file, noun):
    line = _line_of(loaded.catalog, file, object_id)
    before = loaded.client.get(f"/api/v1/{path}/{object_id}").json()

    for method, verb in VERBS.items():
        response = loaded.client.request(method, f"/api/v1/{path}/{object_id}", json={"name": "changed"})

        assert response.status_code == 409, (method, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == (
            f"{noun} '{object_id}' comes from the catalog file {file} (line {line}) and cannot be {verb} through "
            "the API; change it there and reload the catalog instead"
        )
    assert loaded.client.get(f"/api/v1/{path}/{object_id}").json() == before


@pytest.mark.parametrize("path", sorted({path for path, *_ in OBJECTS}))
def test_a_new_catalog_object_is_refused_with_where_to_write_it(loaded, path):
    count = len(loaded.client.get(f"/api/v1/{path}").json()["items"])

    response = loaded.client.post(f"/api/v1/{path}", json={"id": "made-here"})

    assert response.status_code == 409
    assert "is made in the catalog files, not through the API: add it to " in response.json()["detail"]
    assert len(loaded.client.get(f"/api/v1/{path}").json()["items"]) == count


def test_an_unknown_object_is_not_found_and_a_bad_id_is_named(loaded):
    missing = loaded.client.delete("/api/v1/checks/no-such-check")
    bad = loaded.client.put("/api/v1/teams/Not An Id", json={})

    assert missing.status_code == 404
    assert missing.json()["detail"] == "no check 'no-such-check'"
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["location"] == "path.object_id"


def test_every_signed_in_person_gets_the_reason_and_a_stranger_is_asked_to_sign_in(loaded):
    viewer = token_for(loaded.db, Person("viewer@example.org", role="viewer"), ["read"])
    loaded.client.cookies.clear()

    stranger = loaded.client.delete("/api/v1/teams/pay")
    signed_in = loaded.client.delete("/api/v1/teams/pay", headers={"Authorization": f"Bearer {viewer}"})

    assert stranger.status_code == 401
    assert signed_in.status_code == 409
    assert "teams/pay.yaml" in signed_in.json()["detail"]


def test_the_refusals_are_not_operations_of_the_document(loaded):
    paths = loaded.client.get("/api/v1/openapi.json").json()["paths"]

    assert set(paths["/api/v1/teams/{team_id}"]) == {"get"}
    assert "post" not in paths["/api/v1/checks"]

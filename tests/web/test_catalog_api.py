"""Reloading the catalog over the API, and the read-only rule for objects from files."""

import pytest


def test_reload_applies_the_catalog_and_reports_what_changed(served):
    response = served.client.post("/api/v1/catalog/reload")

    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "applied"
    assert body["summary"]["teams"] == 3
    assert body["changes"]["created"] > 0


def test_a_broken_reload_is_refused_whole_and_the_old_catalog_keeps_serving(loaded):
    loaded.edit(
        "teams/pay.yaml",
        "owner: pay\n    platform: paas\n    depends_on",
        "owner: pya\n    platform: paas\n    depends_on",
    )
    loaded.edit("teams/notify.yaml", "name: Notify API", "name: Notify API renamed")

    response = loaded.client.post("/api/v1/catalog/reload")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Catalog not applied"
    [found] = problem["problems"]
    assert found["message"] == "owner of service 'pay-frontend': unknown team 'pya'"
    assert found["hint"] == "did you mean 'pay'?"
    assert found["file"].endswith("teams/pay.yaml")
    assert loaded.client.get("/api/v1/services/pay-frontend").json()["owner"] == "pay"
    assert loaded.client.get("/api/v1/services/notify-api").json()["name"] == "Notify API"
    status = loaded.client.get("/api/v1/catalog").json()
    assert status["failed"]["problems"] == problem["problems"]
    assert status["applied"]["outcome"] == "applied"


def test_the_console_shows_a_banner_after_a_failed_reload(loaded):
    loaded.edit("platforms.yaml", "interval: 5m", "interval: 5 minutes")
    loaded.client.post("/api/v1/catalog/reload")

    page = loaded.client.get("/catalogue").text

    assert 'id="catalog-banner"' in page
    assert "platforms.yaml:" in page
    assert "&#39;5 minutes&#39; is not a duration" in page


def test_reload_without_a_catalog_path_is_a_conflict(served):
    served.client.app.state.context.reload_catalog = None

    response = served.client.post("/api/v1/catalog/reload")

    assert response.status_code == 409
    assert response.json()["detail"] == "this server was started without --catalog"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_objects_from_files_are_read_only(loaded, method):
    body = {"name": "Renamed", "owner": "pay"}
    response = getattr(loaded.client, method)("/api/v1/services/pay-api", **({"json": body} if method == "put" else {}))

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "comes from the catalog file teams/pay.yaml (line " in response.json()["detail"]
    assert loaded.client.get("/api/v1/services/pay-api").json()["name"] == "Payments API"


def test_objects_created_through_the_api_are_marked_and_editable(loaded):
    created = loaded.client.post(
        "/api/v1/services",
        json={"id": "pay-admin", "name": "Pay admin", "owner": "pay", "platform": "paas", "depends_on": ["pay-api"]},
    )
    changed = loaded.client.put("/api/v1/services/pay-admin", json={"name": "Pay admin tool", "owner": "pay"})
    again = loaded.client.post("/api/v1/catalog/reload")

    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/services/pay-admin"
    assert created.json()["origin"] == "api"
    assert created.json()["depends_on"] == ["pay-api"]
    assert changed.status_code == 200
    assert changed.json()["name"] == "Pay admin tool"
    assert changed.json()["depends_on"] == []
    assert again.json()["outcome"] == "unchanged"
    assert loaded.client.delete("/api/v1/services/pay-admin").status_code == 204
    assert loaded.client.get("/api/v1/services/pay-admin").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"id": "x1", "name": "X", "owner": "nobody"}, 422, "owner: no team 'nobody'"),
        ({"id": "x1", "name": "X", "owner": "pay", "platform": "mainframe"}, 422, "platform: no platform 'mainframe'"),
        (
            {"id": "x1", "name": "X", "owner": "pay", "depends_on": ["x1"]},
            422,
            "depends_on: a service cannot depend on itself",
        ),
        (
            {"id": "pay-api", "name": "X", "owner": "pay"},
            409,
            "service 'pay-api' comes from the catalog file teams/pay.yaml (line 101) and cannot be created again "
            "through the API; change it there and reload the catalog instead",
        ),
    ],
)
def test_bad_service_creations_are_refused_with_the_reason(loaded, body, status, detail):
    response = loaded.client.post("/api/v1/services", json=body)

    assert response.status_code == status
    assert response.json()["detail"] == detail


def test_a_dependency_cycle_through_the_api_is_refused(loaded):
    loaded.client.post("/api/v1/services", json={"id": "a1", "name": "A", "owner": "pay"})
    loaded.client.post("/api/v1/services", json={"id": "b1", "name": "B", "owner": "pay", "depends_on": ["a1"]})

    response = loaded.client.put("/api/v1/services/a1", json={"name": "A", "owner": "pay", "depends_on": ["b1"]})

    assert response.status_code == 422
    assert response.json()["detail"] == "depends_on: 'b1' already depends on 'a1'; that would be a cycle"
    assert loaded.client.get("/api/v1/services/a1").json()["depends_on"] == []


def test_malformed_bodies_get_problem_details_not_server_errors(loaded):
    not_json = loaded.client.post(
        "/api/v1/services", content=b"{not json", headers={"content-type": "application/json"}
    )
    bad_id = loaded.client.post("/api/v1/services", json={"id": "Bad Id", "name": "X", "owner": "pay"})
    extra = loaded.client.post("/api/v1/services", json={"id": "ok", "name": "X", "owner": "pay", "colour": "red"})

    for response in (not_json, bad_id, extra):
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    assert "body.id" in bad_id.json()["detail"]
    assert "body.colour" in extra.json()["detail"]


def test_unknown_objects_are_404_problems(loaded):
    response = loaded.client.get("/api/v1/teams/nobody")

    assert response.status_code == 404
    assert response.json() == {"type": "about:blank", "title": "Not found", "status": 404, "detail": "no team 'nobody'"}
    assert loaded.client.get("/no/such/page").status_code == 404


def test_lists_show_teams_platforms_services_and_checks(loaded):
    teams = {team["id"]: team for team in loaded.client.get("/api/v1/teams").json()["items"]}
    platforms = {p["id"]: p for p in loaded.client.get("/api/v1/platforms").json()["items"]}
    checks = {c["id"]: c for c in loaded.client.get("/api/v1/checks").json()["items"]}

    assert teams["reliability-engineering"]["platform_team"] is True
    assert {p["id"] for p in teams["notify"]["people"]} == {"ines", "jonah"}
    assert platforms["paas"]["depends_on"] == ["aws"]
    assert platforms["paas"]["owner"] == "reliability-engineering"
    assert checks["pay-reconciliation"]["type"] == "heartbeat"
    assert checks["paas-api"]["interval_seconds"] == 30
    assert checks["paas-api"]["platform"] == "paas"


def test_the_openapi_document_is_served(served):
    document = served.client.get("/api/v1/openapi.json").json()

    assert document["info"]["title"] == "Watchkeeper"
    assert "/api/v1/catalog/reload" in document["paths"]
    assert "/api/v1/services/{service_id}" in document["paths"]


def test_a_service_made_through_the_api_is_changed_only_by_its_team(loaded):
    from signed_in import Person, token_for

    pay = token_for(loaded.db, Person("pay@example.org", role="team-member", team="pay"), ["read", "catalog"])
    notify = token_for(loaded.db, Person("notify@example.org", role="team-member", team="notify"), ["read", "catalog"])
    as_pay, as_notify = ({"Authorization": f"Bearer {token}"} for token in (pay, notify))
    body = {"id": "pay-admin", "name": "Pay admin", "owner": "pay"}

    foreign = loaded.client.post("/api/v1/services", json=body | {"id": "x2", "owner": "notify"}, headers=as_pay)
    made = loaded.client.post("/api/v1/services", json=body, headers=as_pay)
    taken = loaded.client.put("/api/v1/services/pay-admin", json={"name": "Mine", "owner": "notify"}, headers=as_notify)
    given_away = loaded.client.put("/api/v1/services/pay-admin", json={"name": "X", "owner": "notify"}, headers=as_pay)
    deleted = loaded.client.delete("/api/v1/services/pay-admin", headers=as_notify)

    assert foreign.status_code == 403
    assert made.status_code == 201, made.text
    assert (taken.status_code, given_away.status_code, deleted.status_code) == (403, 403, 403)
    assert "team pay" in deleted.json()["detail"]
    assert loaded.client.get("/api/v1/services/pay-admin").json()["name"] == "Pay admin"
    assert loaded.client.delete("/api/v1/services/pay-admin", headers=as_pay).status_code == 204

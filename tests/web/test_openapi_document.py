"""The OpenAPI document tells the truth about errors: each is a problem document under its own media type; and
the API answers unknown paths and wrong methods with problem documents too."""

import pytest

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture
def document(served):
    response = served.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_error_of_the_api_is_a_problem_document(document):
    for path, method, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4") and not path.startswith("/v2/"):
                assert response["content"] == PROBLEM, f"{method} {path} {status}"


def test_every_operation_says_it_needs_sign_in_but_the_inbound_ones(document):
    for path, method, operation in _operations(document):
        inbound = "inbound alerts" in operation["tags"]
        assert ("403" in operation["responses"]) is not inbound, f"{method} {path}"


def test_every_operation_with_an_id_in_its_path_can_be_a_404(document):
    for path, method, operation in _operations(document):
        if "{" in path:
            assert "404" in operation["responses"], f"{method} {path}"


def test_every_list_documents_its_cursor_and_limit(document):
    for path, method, operation in _operations(document):
        schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
        ref = (schema or {}).get("$ref", "")
        if ref.endswith("List"):
            names = {parameter["name"] for parameter in operation["parameters"]}
            assert {"limit", "cursor"} <= names, f"{method} {path}"
            assert "400" in operation["responses"], f"{method} {path}"


def test_the_problem_schema_has_the_rfc_9457_members_and_the_errors_list(document):
    problem = document["components"]["schemas"]["Problem"]

    assert set(problem["required"]) == {"type", "title", "status"}
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_the_document_covers_every_object(document):
    for path in (
        "/api/v1/people/{person_id}",
        "/api/v1/checks/{check_id}/results",
        "/api/v1/deliveries/{delivery_id}",
        "/api/v1/schedules/{schedule_id}",
        "/api/v1/escalation-policies/{policy_id}",
        "/api/v1/integrations/{integration_id}",
        "/api/v1/overrides",
        "/api/v1/maintenance/catalog/{window_id}",
    ):
        assert "get" in document["paths"][path], path


def test_no_swagger_ui_is_served(served):
    assert served.client.get("/api/v1/docs").status_code == 404
    assert served.client.get("/docs").status_code == 404


def test_an_unknown_api_path_and_a_wrong_method_are_problems(served):
    unknown = served.client.get("/api/v1/nothing-here")
    wrong = served.client.delete("/api/v1/teams")

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "openapi.json" in unknown.json()["detail"]
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET"
    assert wrong.json()["detail"] == "DELETE is not allowed here; allowed: GET"


def test_every_api_route_declares_who_may_use_it(served):
    from watchkeeper.domain.access import Rule
    from watchkeeper.web.access import route_table

    routes = route_table(served.client.app)
    api = [entry for entry in routes if entry.path.startswith("/api/v1/")]
    reads = [entry for entry in api if entry.methods == {"GET"}]
    # Other people's accounts are read by those who manage them; everything else by anyone signed in.
    managed = {entry.path for entry in reads if entry.path.startswith("/api/v1/accounts")}

    assert [entry.path for entry in api if entry.policy is None] == []
    assert [entry.path for entry in reads if entry.policy.rule is not Rule.READ] == sorted(managed)
    assert managed == {"/api/v1/accounts", "/api/v1/accounts/{account_id}"}
    assert len(reads) > 30


def test_a_viewer_reads_every_list_and_a_stranger_is_asked_to_sign_in(served):
    from signed_in import Person, token_for

    viewer = token_for(served.db, Person("viewer@example.org", role="viewer"), ["read"])
    served.client.cookies.clear()

    for path in ("/api/v1/people", "/api/v1/deliveries", "/api/v1/integrations", "/api/v1/escalation-policies"):
        assert served.client.get(path, headers={"Authorization": f"Bearer {viewer}"}).status_code == 200, path
        assert served.client.get(path).status_code == 401, path


def test_the_document_is_for_the_signed_in_only(served):
    served.client.cookies.clear()

    response = served.client.get("/api/v1/openapi.json")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")

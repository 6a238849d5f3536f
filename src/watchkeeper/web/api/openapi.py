"""The OpenAPI document at /api/v1/openapi.json, told the truth about errors: every error the API answers is a
problem document (RFC 9457) with the media type `application/problem+json`, which FastAPI's generator does not
know. So the document is generated as usual, then each error response of the API is pointed at one `Problem`
schema under that media type, and the ones every operation can give are added (a value that fails validation,
sign-in and permission; a body too large or not JSON)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from watchkeeper.web.access import Reader
from watchkeeper.web.problems import PROBLEM_JSON, ErrorOut, ProblemOut

DOCUMENT = "/api/v1/openapi.json"
REF = "#/components/schemas/"
SIGNED_IN: dict[str, str] = {
    "401": "not signed in: send a session cookie or an API token",
    "403": "signed in, but not allowed to do this",
}
WITH_BODY: dict[str, str] = {
    "400": "a body that cannot be read as JSON text",
    "413": "the body is over 1 MiB",
    "415": "the body is not JSON",
}
OWN_ANSWERS = ("inbound alerts",)
"""Tags of operations that other tools call with a key of their own, and that answer in those tools' formats."""


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = with_problems(document)
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]

    # Served by a route of ours rather than FastAPI's `openapi_url`, so that it declares a policy like every
    # other route: the document maps every object and operation, and only the status pages, pings and inbound
    # integrations are for people who have not signed in.
    @app.get(DOCUMENT, include_in_schema=False)
    async def document(who: Reader) -> JSONResponse:
        return JSONResponse(app.openapi())


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = ProblemOut.model_json_schema(ref_template=REF + "{model}")
    schemas["Problem"].pop("$defs", None)
    schemas["ErrorOut"] = ErrorOut.model_json_schema()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _problems_of(operation)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def _problems_of(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    own = any(tag in OWN_ANSWERS for tag in operation.get("tags", []))
    if operation.get("parameters") or "requestBody" in operation:
        responses["422"] = {"description": "a value that fails validation: `errors` says which, and where"}
    if "requestBody" in operation:
        for status, description in WITH_BODY.items():
            responses.setdefault(status, {"description": description})
    if not own:
        for status, description in SIGNED_IN.items():
            responses.setdefault(status, {"description": description})
    for status, response in responses.items():
        content = response.get("content", {})
        if status.startswith(("4", "5")) and (not content or ("application/json" in content and not own)):
            response["content"] = {PROBLEM_JSON: {"schema": {"$ref": REF + "Problem"}}}

"""API errors as RFC 9457 problem details; never a traceback, never a 500 for a bad request."""

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(HTTPException):
    """Raise from a handler: becomes a problem document with this status, title and detail."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.title = title
        self.extra = extra


class ErrorOut(BaseModel):
    location: str = Field(description="where: query.limit, path.team_id, body.matchers.0")
    message: str


class ProblemOut(BaseModel):
    """An RFC 9457 problem document, as every error of the API is answered."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="about:blank: the status and title say what kind of problem it is")
    title: str
    status: int
    detail: str | None = Field(default=None, description="what is wrong, and where, in words")
    errors: list[ErrorOut] | None = Field(default=None, description="each value that is wrong, and where it is")


def problem_response(status: int, title: str, detail: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, error: Problem) -> JSONResponse:
        response = problem_response(error.status_code, error.title, str(error.detail), **error.extra)
        response.headers.update(error.headers or {})  # such as Retry-After on a 503
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        title = _TITLES.get(error.status_code, "Error")
        detail = error.detail if isinstance(error.detail, str) and error.detail.lower() != title.lower() else None
        response = problem_response(error.status_code, title, detail or _routing_detail(request, error))
        response.headers.update(error.headers or {})  # such as Allow on a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        return problem_response(422, "Unprocessable content", detail, errors=errors)


def _routing_detail(request: Request, error: StarletteHTTPException) -> str | None:
    """What the router's own 404 and 405 mean, in words."""
    # The path is not repeated: a secret link (a calendar feed's) that opens nothing must answer as any other.
    if error.status_code == 404 and request.url.path.startswith("/api/"):
        return "no such path in this API; /api/v1/openapi.json lists every path"
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        return f"{request.method} is not allowed here; allowed: {allowed}" if allowed else None
    return None

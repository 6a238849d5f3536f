"""What an HTTP check says: the request to make, and what its response must look like."""

from typing import Any, Literal

import jsonpath
import regex
from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer, model_validator

from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.catalog.types import Duration, Model, Url


class JsonAssertion(Model):
    path: str = Field(pattern=r"^\$", description="a JSONPath such as $.database.healthy")
    exists: bool | None = None
    equals: Any = None
    not_equals: Any = None
    contains: Any = None
    lt: float | None = None
    le: float | None = None
    gt: float | None = None
    ge: float | None = None

    @field_validator("path")
    @classmethod
    def _path_parses(cls, value: str) -> str:
        # Refused here, where `watchkeeper validate` can say where it is, rather than failing every run.
        try:
            jsonpath.compile(value)
        except jsonpath.JSONPathError as error:
            token = getattr(error, "token", None)
            where = f" at character {token.index + 1}" if token is not None else ""
            raise ValueError(f"path {value[:80]!r} is not a JSONPath: {_first_line(error)}{where}") from None
        return value

    @model_serializer(mode="wrap")
    def _only_what_was_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # `equals: null` and no `equals` at all mean different things, so a stored definition keeps only
        # the tests that were given; read back, it asks the same questions.
        dumped: dict[str, Any] = handler(self)
        return {name: value for name, value in dumped.items() if name == "path" or name in self.model_fields_set}


StatusSpec = int | str
"""200, or a range such as "200-299", or a class such as "2xx"."""


def _any_success() -> list[StatusSpec]:
    return ["200-399"]


class HttpExpect(Model):
    status: list[StatusSpec] = Field(default_factory=_any_success)
    body_contains: str | list[str] | None = None
    body_not_contains: str | list[str] | None = None
    body_regex: str | None = None
    json_: list[JsonAssertion] = Field(default_factory=list, alias="json")
    headers: dict[str, str] = Field(default_factory=dict)
    max_response_time: Duration | None = None

    @model_validator(mode="after")
    def _status_is_readable(self) -> "HttpExpect":
        wrong = [
            repr(spec)
            for spec in self.status
            if (isinstance(spec, int) and not 100 <= spec <= 599)
            or (isinstance(spec, str) and not _is_status_range(spec))
        ]
        if wrong:
            raise ValueError(
                f"status {', '.join(wrong)}: give codes from 100 to 599, ranges such as 200-299, or classes such as 2xx"
            )
        return self

    @field_validator("body_regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                regex.compile(value)  # the engine that runs it (see assess), so both agree on the syntax
            except regex.error as error:
                raise ValueError(f"body_regex is not a regular expression: {error}") from None
        return value


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _is_status_range(spec: str) -> bool:
    if len(spec) == 3 and spec[0] in "12345" and spec[1:] == "xx":
        return True
    low, _, high = spec.partition("-")
    return low.isdigit() and high.isdigit() and 100 <= int(low) <= int(high) <= 599


class BasicAuth(Model):
    username: str
    password: str


class HttpCheck(CheckConfig):
    type: Literal["http"] = "http"
    url: Url
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = None
    basic_auth: BasicAuth | None = None
    bearer_token: str | None = None
    follow_redirects: bool = True
    max_redirects: int = Field(default=10, ge=0, le=50)
    verify_tls: bool = True
    ca_bundle: str | None = None
    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    expect: HttpExpect = Field(default_factory=HttpExpect)

"""TCP checks: a connection, optionally a line sent and a reply expected."""

from typing import Literal

from pydantic import Field

from watchkeeper.catalog.checks import CheckConfig


class TcpCheck(CheckConfig):
    type: Literal["tcp"] = "tcp"
    host: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)
    send: str | None = None
    expect: str | None = Field(default=None, description="text the reply must contain")

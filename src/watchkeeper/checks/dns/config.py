"""DNS checks: a name, a record type and the answer expected."""

from typing import Literal

from pydantic import Field

from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.catalog.types import Model


class DnsExpect(Model):
    contains: list[str] = Field(default_factory=list)
    equals: list[str] | None = None
    rcode: Literal["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED"] = "NOERROR"


class DnsCheck(CheckConfig):
    type: Literal["dns"] = "dns"
    name: str = Field(min_length=1)  # the DNS name to look up, not a display name
    record: Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "CAA"] = "A"
    resolver: str | None = Field(
        default=None, description="resolver address (IP, IP:PORT or [IPv6]:PORT); the system's when not given"
    )
    expect: DnsExpect = Field(default_factory=DnsExpect)

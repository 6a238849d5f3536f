"""What a TLS check says: the host and port to connect to, and when its certificate is too close to expiry."""

from datetime import timedelta
from typing import Literal

from pydantic import Field

from watchkeeper.catalog.checks import CheckConfig
from watchkeeper.catalog.types import Duration, Model, Threshold


class Expiry(Model):
    warn: Threshold = 30.0
    critical: Threshold = timedelta(days=7)


class TlsCheck(CheckConfig):
    type: Literal["tls"] = "tls"
    host: str = Field(min_length=1)
    port: int = Field(default=443, ge=1, le=65535)
    sni: str | None = None
    ca_bundle: str | None = None
    expiry: Expiry = Field(default_factory=Expiry)
    min_version: Literal["TLSv1.2", "TLSv1.3"] | None = None
    interval: Duration = timedelta(hours=1)

"""TLS checks: the certificate a host presents, its chain, its name and the time it has left."""

from watchkeeper.catalog.checks import CheckType
from watchkeeper.checks.tls.assess import assess
from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.checks.tls.probe import probe

CHECK = CheckType(
    "tls", TlsCheck, "the certificate a host presents, and the time it has left", probe=probe, assess=assess
)

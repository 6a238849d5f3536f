"""HTTP(S) checks: a request, and what its response must look like."""

from watchkeeper.catalog.checks import CheckType
from watchkeeper.checks.http.assess import assess, slow_to_assess
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.checks.http.probe import probe

CHECK = CheckType(
    "http",
    HttpCheck,
    "an HTTP or HTTPS request and what its response must look like",
    probe=probe,
    assess=assess,
    slow_to_assess=slow_to_assess,
)

"""TCP checks: a connection, optionally a line sent and a reply expected."""

from watchkeeper.catalog.checks import CheckType
from watchkeeper.checks.tcp.assess import assess
from watchkeeper.checks.tcp.config import TcpCheck
from watchkeeper.checks.tcp.probe import probe

CHECK = CheckType(
    "tcp", TcpCheck, "a TCP connection, optionally with a line sent and a reply expected", probe=probe, assess=assess
)

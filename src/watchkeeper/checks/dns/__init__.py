"""DNS checks: a name, a record type and the answer expected."""

from watchkeeper.catalog.checks import CheckType
from watchkeeper.checks.dns.assess import assess
from watchkeeper.checks.dns.config import DnsCheck
from watchkeeper.checks.dns.probe import probe

CHECK = CheckType("dns", DnsCheck, "a DNS lookup and the answer expected", probe=probe, assess=assess)

"""The DNS probe: one query, to the given resolver or the system's, with dnspython."""

import re
import time

import dns.asyncresolver
import dns.exception
import dns.rdatatype
import dns.resolver

from watchkeeper.checks.context import ProbeContext
from watchkeeper.checks.dns.config import DnsCheck
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.excerpts import excerpt
from watchkeeper.domain.observations import DnsObservation, ProbeFailure, Timings


async def probe(check: DnsCheck, context: ProbeContext) -> DnsObservation:
    started = time.perf_counter()

    def observed(
        rcode: str | None = None, answers: tuple[str, ...] = (), failure: ProbeFailure | None = None
    ) -> DnsObservation:
        timings = Timings(total=(time.perf_counter() - started) * 1000)
        return DnsObservation(check.name, check.record, rcode, answers, timings, failure)

    resolver = _resolver(check)
    where = f" from {check.resolver}" if check.resolver else ""
    try:
        answer = await resolver.resolve(check.name, check.record, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return observed("NXDOMAIN")
    except dns.resolver.NoNameservers as error:
        return observed(
            "SERVFAIL" if "SERVFAIL" in str(error) else "REFUSED" if "REFUSED" in str(error) else "SERVFAIL"
        )
    except dns.exception.Timeout:
        within = readable_duration(check.timeout)
        return observed(failure=ProbeFailure("timeout", f"no DNS answer{where} within {within}"))
    except dns.exception.DNSException as error:
        problem = excerpt(str(error), 200)  # it can quote what the server sent
        return observed(failure=ProbeFailure("dns", f"DNS lookup of {check.name}{where} failed: {problem}"))
    # Sorted: a record set has no order, and a steady answer should read the same every time.
    answers = tuple(
        sorted(record.to_text().strip('"') if check.record == "TXT" else record.to_text() for record in answer)
    )
    return observed("NOERROR", answers)


def _resolver(check: DnsCheck) -> dns.asyncresolver.Resolver:
    if check.resolver is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        host, port = _address(check.resolver)
        resolver.nameservers = [host]
        resolver.port = port
    resolver.lifetime = check.timeout.total_seconds()
    resolver.timeout = check.timeout.total_seconds()
    return resolver


def _address(text: str) -> tuple[str, int]:
    bracketed = re.fullmatch(r"\[([0-9a-fA-F:.]+)\](?::(\d+))?", text)
    if bracketed:
        return bracketed.group(1), int(bracketed.group(2) or 53)
    host, _, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    return host, int(port or 53)

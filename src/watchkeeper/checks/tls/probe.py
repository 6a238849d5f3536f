"""The TLS probe: connect, handshake with verification, and read the certificate; when verification fails,
a second handshake without it reads the certificate anyway, so the reason can say what is wrong with it."""

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import replace

from watchkeeper.checks.certificates import certificate_from_der
from watchkeeper.checks.context import PhaseClock, ProbeContext, endpoint
from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.observations import FailureKind, ProbeFailure, Timings, TlsObservation

HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH

CLOSE_SECONDS = 1.0
"""How long to wait for the peer to acknowledge the close before aborting the connection."""


async def probe(check: TlsCheck, context: ProbeContext) -> TlsObservation:
    name = check.sni or check.host
    started = time.perf_counter()
    where = endpoint(check.host, check.port)
    phases = PhaseClock(started)

    def failed(kind: FailureKind, message: str) -> TlsObservation:
        total = (time.perf_counter() - started) * 1000
        return TlsObservation(check.host, check.port, timings=Timings(total=total), failure=ProbeFailure(kind, message))

    try:
        async with asyncio.timeout(check.timeout.total_seconds()):
            verifying = _context(check, verify=True)
            try:
                return await _handshake(check, name, verifying, phases)
            except ssl.SSLCertVerificationError as error:
                seen = await _handshake(check, name, _context(check, verify=False), phases)
                if error.verify_code == HOSTNAME_MISMATCH:
                    return replace(seen, chain_verified=True, hostname_matches=False)
                return replace(seen, chain_verified=False, verify_error=error.verify_message or str(error))
    except TimeoutError:
        return failed("timeout", f"timed out after {readable_duration(check.timeout)} {_doing(phases)} {where}")
    except socket.gaierror:
        return failed("dns", f"cannot resolve {check.host}")
    except ConnectionRefusedError:
        return failed("refused", f"connection refused by {where}")
    except ssl.SSLError as error:
        return failed("tls", f"TLS handshake with {where} failed: {error.reason or error}")
    except (ConnectionResetError, asyncio.IncompleteReadError):
        return failed("reset", f"connection closed by {where} during the TLS handshake")
    except OSError as error:
        return failed("error", f"cannot connect to {where}: {error.strerror or error}")


def _doing(phases: PhaseClock) -> str:
    if phases.latest == "dns_start":
        return "resolving the name of"
    return "during the TLS handshake with" if phases.latest == "tls_start" else "connecting to"


def _context(check: TlsCheck, verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=check.ca_bundle) if verify else ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def _handshake(check: TlsCheck, name: str, context: ssl.SSLContext, phases: PhaseClock) -> TlsObservation:
    """One connection and handshake; `phases` says which step it is in, should the check's timeout end it."""
    started = phases.start
    loop = asyncio.get_running_loop()
    phases.mark("dns_start")
    addresses = await loop.getaddrinfo(check.host, check.port, type=socket.SOCK_STREAM)
    resolved = time.perf_counter()
    address = addresses[0][4]
    phases.mark("connect_start")
    _reader, writer = await asyncio.open_connection(str(address[0]), int(address[1]))
    connected = time.perf_counter()
    phases.mark("tls_start")
    try:
        await writer.start_tls(context, server_hostname=name)
        phases.mark("tls_end")
        shaken = time.perf_counter()
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True)
        version = ssl_object.version()
    finally:
        await _close(writer)
    timings = Timings(
        dns=(resolved - started) * 1000,
        connect=(connected - resolved) * 1000,
        tls=(shaken - connected) * 1000,
        total=(time.perf_counter() - started) * 1000,
    )
    verified = context.verify_mode != ssl.CERT_NONE
    return TlsObservation(
        check.host,
        check.port,
        certificate=certificate_from_der(der),
        chain_verified=verified,
        hostname_matches=verified,
        tls_version=version,
        timings=timings,
    )


async def _close(writer: asyncio.StreamWriter) -> None:
    """Close politely, then abort: a peer that never answers the close must hold neither the probe (beyond
    CLOSE_SECONDS) nor our socket (asyncio would keep it for 30 s), and the check's timeout may end the wait."""
    writer.close()
    try:
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(CLOSE_SECONDS):
                await writer.wait_closed()
    finally:
        writer.transport.abort()  # once the close is done, this does nothing

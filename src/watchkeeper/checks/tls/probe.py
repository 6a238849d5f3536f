"""The TLS probe: connect, handshake with verification, and read the certificate; when verification fails,
a second handshake without it reads the certificate anyway, so the reason can say what is wrong with it."""

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import replace

from watchkeeper.checks.certificates import certificate_from_der
from watchkeeper.checks.context import ProbeContext
from watchkeeper.checks.tls.config import TlsCheck
from watchkeeper.domain.observations import FailureKind, ProbeFailure, Timings, TlsObservation

HOSTNAME_MISMATCH = 62  # X509_V_ERR_HOSTNAME_MISMATCH

CLOSE_SECONDS = 1.0
"""How long to wait for the peer to acknowledge the close before leaving the connection."""


async def probe(check: TlsCheck, context: ProbeContext) -> TlsObservation:
    name = check.sni or check.host
    started = time.perf_counter()
    where = f"{check.host}:{check.port}"

    def failed(kind: FailureKind, message: str) -> TlsObservation:
        total = (time.perf_counter() - started) * 1000
        return TlsObservation(check.host, check.port, timings=Timings(total=total), failure=ProbeFailure(kind, message))

    try:
        async with asyncio.timeout(check.timeout.total_seconds()):
            verifying = _context(check, verify=True)
            try:
                return await _handshake(check, name, verifying, started)
            except ssl.SSLCertVerificationError as error:
                seen = await _handshake(check, name, _context(check, verify=False), started)
                if error.verify_code == HOSTNAME_MISMATCH:
                    return replace(seen, chain_verified=True, hostname_matches=False)
                return replace(seen, chain_verified=False, verify_error=error.verify_message or str(error))
    except TimeoutError:
        return failed("timeout", f"timed out after {check.timeout.total_seconds():g} s connecting to {where}")
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


def _context(check: TlsCheck, verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=check.ca_bundle) if verify else ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def _handshake(check: TlsCheck, name: str, context: ssl.SSLContext, started: float) -> TlsObservation:
    loop = asyncio.get_running_loop()
    addresses = await loop.getaddrinfo(check.host, check.port, type=socket.SOCK_STREAM)
    resolved = time.perf_counter()
    address = addresses[0][4]
    _reader, writer = await asyncio.open_connection(str(address[0]), int(address[1]))
    connected = time.perf_counter()
    try:
        await writer.start_tls(context, server_hostname=name)
        shaken = time.perf_counter()
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True)
        version = ssl_object.version()
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            async with asyncio.timeout(CLOSE_SECONDS):  # a peer that never answers the close must not hold us
                await writer.wait_closed()
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

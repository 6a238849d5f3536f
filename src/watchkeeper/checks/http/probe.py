"""The HTTP probe: one request on a fresh connection, with the time each phase took. It only observes."""

import asyncio
import contextlib
import errno
import re
import ssl
import time
from dataclasses import replace
from urllib.parse import quote, quote_plus

import aiohttp
from yarl import URL

from watchkeeper.catalog.secrets import find_references
from watchkeeper.checks.certificates import certificate_from_der
from watchkeeper.checks.context import PHASES, PhaseClock, ProbeContext, endpoint
from watchkeeper.checks.http.config import HttpCheck
from watchkeeper.domain.durations import readable_duration
from watchkeeper.domain.excerpts import quoted
from watchkeeper.domain.observations import FailureKind, HttpObservation, ProbeFailure, Timings

READ_CHUNK = 64 * 1024


async def probe(check: HttpCheck, context: ProbeContext) -> HttpObservation:
    """The observation says the URL as the catalog writes it: a secret in it (`${API_KEY}`) is sent, but
    never put in a reason, a log line or the database."""
    url = context.secret(check.url)
    observation = await _observe(check, context, url)
    if url == check.url:
        return observation
    return _without_secrets(observation, _secrets_in(check.url, url, context))


def _secrets_in(written: str, url: str, context: ProbeContext) -> dict[str, str]:
    """What to replace in a message, by what replaces it: the whole URL as sent, in each form the URL library
    may print it, by the URL as the catalog writes it; then each secret value, in each form a part of a URL may
    carry it (a message can quote just a host, a path or a query), by the reference that stands for it."""
    found = dict.fromkeys(_url_forms(url), written)
    for _path, name in find_references(written):
        reference = "${" + name + "}"
        value = context.secret(reference)
        if len(value) >= 4 and value != reference:  # shorter values would mangle a message, and hide nothing
            found.update(dict.fromkeys(_value_forms(value), reference))
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))  # longest first: a form can hold another


def _url_forms(url: str) -> set[str]:
    forms = {url}
    with contextlib.suppress(ValueError):
        parsed = URL(url)
        forms |= {str(parsed), parsed.human_repr(), str(URL(url, encoded=True))}
    return {form for form in forms if form}


def _value_forms(value: str) -> set[str]:
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/")}
    with contextlib.suppress(ValueError):  # as yarl encodes it in a path, in a query and in a fragment
        forms.add(URL("http://h/" + value).raw_path[1:])
        forms.add(URL("http://h/?" + value).raw_query_string)
        forms.add(URL("http://h/#" + value).raw_fragment)
        forms.add(URL.build(scheme="http", host="h", query={"k": value}).raw_query_string[2:])
    return {form for form in forms if len(form) >= 4}


def _without_secrets(observation: HttpObservation, secrets: dict[str, str]) -> HttpObservation:
    def hide(text: str) -> str:
        for value, reference in secrets.items():
            text = text.replace(value, reference)
        return text

    failure = observation.failure
    return replace(
        observation,
        url=hide(observation.url),
        redirects=tuple(hide(redirect) for redirect in observation.redirects),
        failure=replace(failure, message=hide(failure.message)) if failure is not None else None,
    )


async def _observe(check: HttpCheck, context: ProbeContext, url: str) -> HttpObservation:
    phases = PhaseClock()
    PHASES.set(phases)
    try:
        async with asyncio.timeout(check.timeout.total_seconds()):
            return await _request(check, context, url, phases)
    except TimeoutError:
        timeout = readable_duration(check.timeout)
        return _failed(url, phases, "timeout", f"timed out after {timeout} {phases.doing()}")
    except aiohttp.TooManyRedirects:
        return _failed(url, phases, "redirects", f"more than {check.max_redirects} redirects from {url}")
    except aiohttp.ClientConnectorCertificateError as error:
        return _failed(url, phases, "tls", f"certificate not trusted: {_certificate_reason(error.certificate_error)}")
    except aiohttp.ClientConnectorDNSError as error:
        return _failed(url, phases, "dns", f"cannot resolve {_host(url)}{_dns_reason(error)}")
    except aiohttp.ClientSSLError as error:
        return _failed(url, phases, "tls", f"TLS handshake failed: {_ssl_reason(error)}")
    except aiohttp.ClientConnectorError as error:
        return _failed(url, phases, *_connect_failure(error, url))
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
        return _failed(url, phases, "reset", f"connection closed by {_host(url)} before a full answer ({error})")
    except aiohttp.ClientResponseError as error:
        return _failed(url, phases, "protocol", f"unreadable answer from {_host(url)}: {_response_problem(error)}")
    except aiohttp.ClientPayloadError as error:
        return _failed(url, phases, "protocol", f"unreadable answer from {_host(url)}: {_first_line(error)}")
    except aiohttp.NonHttpUrlRedirectClientError as error:
        return _failed(
            url,
            phases,
            "redirects",
            f"redirected to {_scheme_of(error.args[0] if error.args else '')} URL, which is not followed",
        )
    except aiohttp.InvalidUrlRedirectClientError as error:
        return _failed(url, phases, "redirects", f"redirected to {quoted(str(error.url))}, which is not a URL")
    except aiohttp.InvalidURL:
        return _failed(url, phases, "error", f"{url!r} is not a URL that can be requested")
    except aiohttp.ClientError as error:
        return _failed(url, phases, "error", f"request to {_host(url)} failed: {_first_line(error)}")


async def _request(check: HttpCheck, context: ProbeContext, url: str, phases: PhaseClock) -> HttpObservation:
    headers = {name: context.secret(value) for name, value in check.headers.items()}
    if check.bearer_token:
        headers["Authorization"] = f"Bearer {context.secret(check.bearer_token)}"
    auth = None
    if check.basic_auth:
        auth = aiohttp.BasicAuth(context.secret(check.basic_auth.username), context.secret(check.basic_auth.password))
    async with context.session.request(
        check.method,
        url,
        headers=headers,
        data=context.secret(check.body).encode() if check.body is not None else None,
        auth=auth,
        allow_redirects=check.follow_redirects,
        max_redirects=check.max_redirects,
        ssl=_ssl(check),
        timeout=aiohttp.ClientTimeout(total=None),
    ) as response:
        phases.mark("first_byte")
        certificate = certificate_from_der(phases.certificate) if phases.certificate else None
        body, truncated = await _read(response, check.max_body_bytes)
        phases.mark("done")
        return HttpObservation(
            url=url,
            status=response.status,
            headers=tuple((k, v) for k, v in response.headers.items()),
            body=body,
            body_truncated=truncated,
            timings=_timings(phases),
            certificate=certificate,
            tls_version=phases.tls_version,
            redirects=tuple(str(r.url) for r in response.history),
        )


def _ssl(check: HttpCheck) -> ssl.SSLContext | bool:
    if not check.verify_tls:
        return False
    if check.ca_bundle:
        return ssl.create_default_context(cafile=check.ca_bundle)
    return True


async def _read(response: aiohttp.ClientResponse, cap: int) -> tuple[bytes, bool]:
    """At most `cap` bytes of the body: an endless or huge body is cut, not read to the end."""
    body = bytearray()
    while len(body) <= cap:
        chunk = await response.content.read(min(READ_CHUNK, cap + 1 - len(body)))
        if not chunk:
            return bytes(body), False
        body.extend(chunk)
    return bytes(body[:cap]), True


def _timings(phases: PhaseClock) -> Timings:
    return Timings(
        dns=phases.between("dns_start", "dns_end"),
        connect=phases.between("connect_start", "connect_end"),
        tls=phases.between("connect_end", "tls_end"),
        first_byte=phases.since_start("first_byte"),
        total=phases.since_start("done") or (time.perf_counter() - phases.start) * 1000,
    )


def _failed(url: str, phases: PhaseClock, kind: FailureKind, message: str) -> HttpObservation:
    phases.mark("done")
    return HttpObservation(url=url, timings=_timings(phases), failure=ProbeFailure(kind, message))


def _scheme_of(location: object) -> str:
    """'a file:' for a redirect to file:///etc/passwd; the Location header is the target's, so it is not
    quoted whole."""
    scheme = str(location).split(":", 1)[0]
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,19}", scheme) is None:
        return "a non-HTTP"
    scheme = scheme.lower()
    # "an ftp:" and "an smb:" as they are spelled out, "a file:" and "an about:" as they are said
    spelled = not any(vowel in scheme for vowel in "aeiouy")
    return f"{'an' if scheme[0] in ('fhlmnrsx' if spelled else 'aeiou') else 'a'} {scheme}:"


def _dns_reason(error: aiohttp.ClientConnectorDNSError) -> str:
    reason = error.os_error.strerror if error.os_error is not None else None
    return f": {reason}" if reason else ""


def _connect_failure(error: aiohttp.ClientConnectorError, url: str) -> tuple[FailureKind, str]:
    code = error.os_error.errno if error.os_error is not None else None
    where = endpoint(error.host, error.port or "")
    if code == errno.ECONNREFUSED:
        return "refused", f"connection refused by {where}"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return "unreachable", f"{where} is unreachable"
    return "error", f"cannot connect to {where}: {error.os_error.strerror if error.os_error else error}"


def _certificate_reason(error: Exception) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return error.verify_message or str(error)
    return str(error)


def _ssl_reason(error: aiohttp.ClientSSLError) -> str:
    reason = getattr(error.os_error, "reason", None) if hasattr(error, "os_error") else None
    return str(reason or _first_line(error))


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _response_problem(error: aiohttp.ClientResponseError) -> str:
    """aiohttp's description of a malformed answer, on one line, without its caret line or the URL."""
    lines = [line.strip() for line in str(error.message).splitlines()]
    return " ".join(line for line in lines if line.strip("^ ")) or f"HTTP {error.status}"


def _first_line(error: BaseException) -> str:
    # Not shortened here: a cut could split a secret's form in two, and then neither half is hidden. run_once
    # shortens the reason once secrets are out of it.
    return (str(error).strip().splitlines() or [type(error).__name__])[0]

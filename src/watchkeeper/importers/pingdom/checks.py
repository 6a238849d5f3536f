"""One Pingdom check turned into Watchkeeper check fields, or the reason it cannot be.

http -> http (with a tls check beside it when Pingdom watched certificate expiry), tcp -> tcp, dns -> dns;
every other type is skipped with a reason. The mapping table is in the README's "Leaving Pingdom" section
and the reasons for each choice in docs/adr/0010.
"""

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from watchkeeper.domain.durations import format_duration
from watchkeeper.importers.fields import Fields, child, kind_of
from watchkeeper.importers.fragment import literal
from watchkeeper.importers.pingdom.credentials import SecretNeeded, Secrets, body, header_value, query
from watchkeeper.importers.pingdom.export import PingdomCheck
from watchkeeper.importers.problems import ExportProblem

Spec = dict[str, Any]

PINGDOM_RESOLUTION = 5
"""Minutes between runs when an export does not say: Pingdom's own default."""
LONGEST_RESOLUTION = 60
"""Pingdom runs a check every 1, 5, 15, 30 or 60 minutes; a longer one is not from Pingdom."""
DEFAULT_TIMEOUT = timedelta(seconds=10)
"""A check's timeout when the catalog does not give one (catalog/checks.py)."""
PINGDOM_USER_AGENT = "Pingdom.com_bot_version_"
"""Pingdom adds its own User-Agent header to every HTTP check; it is Pingdom's, not the user's."""
FORM = "application/x-www-form-urlencoded"

SKIPPED_TYPES = {
    "ping": "Watchkeeper has no ICMP ping check; a tcp check on a port the host serves is the nearest replacement",
    "udp": "Watchkeeper has no UDP check",
    "smtp": "Watchkeeper has no SMTP check; a tcp check with send and expect can stand in for a banner check",
    "pop3": "Watchkeeper has no POP3 check; a tcp check with expect can stand in for a banner check",
    "imap": "Watchkeeper has no IMAP check; a tcp check with expect can stand in for a banner check",
    "httpcustom": "custom HTTP checks read Pingdom's own XML status format, which Watchkeeper does not",
    "transaction": "transaction checks run browser steps, which Watchkeeper does not",
    "script": "transaction checks run browser steps, which Watchkeeper does not",
    "recording": "transaction checks run browser steps, which Watchkeeper does not",
}
_SEVERITIES = {"high": "page", "low": "ticket"}


@dataclass
class Converted:
    """What one Pingdom check became: our checks, each with the suffix its id gets ("" for the main one)."""

    source: PingdomCheck
    specs: list[tuple[str, Spec]]
    comments: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    secrets: list[SecretNeeded] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    source: PingdomCheck
    reason: str


@dataclass
class Draft:
    """One Pingdom check on its way: the fields so far and what the type's mapping needs besides."""

    check: PingdomCheck
    spec: Spec
    secrets: Secrets
    converted: Converted
    interval: timedelta
    threshold: timedelta | None

    def timeout(self) -> str:
        """Pingdom's response time threshold as a timeout; runs start an interval apart, so never longer."""
        assert self.threshold is not None
        return format_duration(min(self.threshold, self.interval))


def convert(check: PingdomCheck) -> Converted | Skipped | None:
    """The check's Watchkeeper form; Skipped when it cannot be represented; None when the export is wrong
    (the problem is recorded with its location in the check's problem list)."""
    if check.kind in SKIPPED_TYPES:
        return Skipped(check, SKIPPED_TYPES[check.kind])
    before = len(check.fields.problems)
    secrets = Secrets(f"PINGDOM_{check.id}", f'Pingdom check {check.id} "{check.name}"')
    converted = Converted(check, [], secrets=secrets.needed)
    interval = _interval(check.fields)
    threshold = _threshold(check.fields)
    main = {"type": check.kind, "name": literal(check.name), **_common(check, converted, interval)}
    outcome = _MAPPINGS[check.kind](Draft(check, main, secrets, converted, interval, threshold))
    if len(check.fields.problems) > before:
        return None
    if isinstance(outcome, str):
        return Skipped(check, outcome)
    return converted


def _common(check: PingdomCheck, converted: Converted, interval: timedelta) -> Spec:
    """Fields every check type shares: paused, interval, confirmations and severity."""
    fields = check.fields
    spec: Spec = {}
    if check.paused:
        spec["paused"] = True
    spec["interval"] = format_duration(interval)
    confirmations = fields.whole("sendnotificationwhendown", low=0)
    if confirmations:  # "notify when down this many times in a row": our down_after
        spec["down_after"] = confirmations
    severity = fields.text("severity_level")
    if severity and severity.lower() in _SEVERITIES:
        spec["severity"] = _SEVERITIES[severity.lower()]
    elif severity:
        converted.notes.append(f"severity level {severity!r} is not HIGH or LOW, so the check pages (the default)")
    return spec


def _labels(check: PingdomCheck) -> Spec:
    labels = {"pingdom_id": str(check.id)}
    if check.tags:
        labels["pingdom_tags"] = literal(",".join(check.tags))
    return labels


def _interval(fields: Fields) -> timedelta:
    minutes = fields.whole("resolution", low=1) or PINGDOM_RESOLUTION
    if minutes > LONGEST_RESOLUTION:  # an edited or corrupted export: refused rather than guessed at
        fields.problem(
            "resolution",
            f"{minutes} minutes is not a Pingdom resolution: Pingdom runs checks every 1, 5, 15, 30 or 60 minutes",
        )
        return timedelta(minutes=PINGDOM_RESOLUTION)
    return timedelta(minutes=minutes)


def _threshold(fields: Fields) -> timedelta | None:
    """Pingdom's `responsetime_threshold`: a slower answer counts as down. Milliseconds."""
    value = fields.data.get("responsetime_threshold")
    if isinstance(value, bool):  # one published schema calls it a boolean; a flag carries no threshold
        return None
    milliseconds = fields.whole("responsetime_threshold", low=0)
    return timedelta(milliseconds=milliseconds) if milliseconds else None


def _details(check: PingdomCheck) -> Fields:
    return check.details or Fields({}, check.fields.at("type"), check.fields.problems)


def _http(draft: Draft) -> str | None:
    check, spec = draft.check, draft.spec
    details = _details(check)
    hostname = check.fields.text("hostname", required=True)
    if hostname is None:
        return None
    encrypted = _first_flag(details, check.fields, "encryption") is True
    port = details.whole("port", low=1, high=65535)
    path = query(_path(details.text("url") or "/"), draft.secrets, details.at("url"))
    spec["url"] = f"{'https' if encrypted else 'http'}://{literal(_netloc(hostname, port, encrypted))}{path}"
    if draft.threshold is not None and draft.threshold > DEFAULT_TIMEOUT:
        spec["timeout"] = draft.timeout()
    _request(details, spec, draft.secrets)
    verify = _first_flag(details, check.fields, "verify_certificate")
    if encrypted and verify is False:
        spec["verify_tls"] = False
    expect = _expectations(details, draft.threshold)
    if expect:
        spec["expect"] = expect
    spec["labels"] = _labels(check)
    draft.converted.specs.append(("", spec))
    if encrypted and verify is not False:  # Pingdom ignores expiry days when it does not verify
        _certificate(draft, details, hostname, port)
    _http_notes(draft)
    return None


def _http_notes(draft: Draft) -> None:
    check, notes = draft.check, draft.converted.notes
    if check.details is None:
        notes.append(
            f"the list export has no path, port, expectations or headers, so the check asks for {draft.spec['url']} "
            f"and passes on any 2xx or 3xx answer; save GET /api/3.1/checks/{check.id} to carry them over"
        )
    if check.fields.flag("ipv6"):
        notes.append("Pingdom probed over IPv6; the check uses whichever address the host resolves to")


def _first_flag(details: Fields, fields: Fields, key: str) -> bool | None:
    """A flag from the type's own fields, else from the check (list exports keep some flags there)."""
    value = details.flag(key)
    return fields.flag(key) if value is None else value


def _path(path: str) -> str:
    # Spaces and non-ASCII letters are escaped as a browser would; existing %XX escapes are kept.
    path = path if path.startswith("/") else f"/{path}"
    return quote(path, safe="/?#[]@!$&'()*+,;=:%~")


def _netloc(hostname: str, port: int | None, encrypted: bool) -> str:
    host = f"[{hostname}]" if ":" in hostname and not hostname.startswith("[") else hostname
    return host if port is None or port == (443 if encrypted else 80) else f"{host}:{port}"


def _request(details: Fields, spec: Spec, secrets: Secrets) -> None:
    """Headers, POST body and basic auth, with every credential replaced by a secret reference."""
    headers = _headers(details, secrets)
    postdata = details.text("postdata")
    if postdata:
        spec["method"] = "POST"
        spec["body"] = body(postdata, secrets, details.at("postdata"))
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = FORM  # Pingdom posts the data as a browser posts a form
    if headers:
        spec["headers"] = headers
    username, password = details.text("username"), details.text("password")
    if username is not None or password is not None:
        reference = secrets.reference(
            "PASSWORD", "the basic auth password", details.at("password"), in_export=bool(password)
        )
        spec["basic_auth"] = {"username": literal(username or ""), "password": reference}


def _headers(details: Fields, secrets: Secrets) -> dict[str, str]:
    """Request headers from a mapping (`{"Name": "value"}`) or a list of "Name: value" lines, both seen."""
    value = details.data.get("requestheaders")
    location = details.at("requestheaders")
    if value is None:
        return {}
    if isinstance(value, dict):
        pairs = [(name, text, child(location, name)) for name, text in value.items()]
    elif isinstance(value, list):
        lines = [_header_line(line, child(location, index), details) for index, line in enumerate(value)]
        pairs = [line for line in lines if line is not None]
    else:
        details.problem("requestheaders", f"expected an object or a list of headers, found {kind_of(value)}")
        return {}
    headers: dict[str, str] = {}
    for name, text, where in pairs:
        if not isinstance(text, str) or not name.strip():
            details.problems.append(
                ExportProblem(where, f"expected a header name and text value, found {kind_of(text)}")
            )
        elif not (name.lower() == "user-agent" and text.startswith(PINGDOM_USER_AGENT)):
            headers[literal(name.strip())] = header_value(name.strip(), text, secrets, where)
    return headers


def _header_line(line: Any, where: str, details: Fields) -> tuple[str, Any, str] | None:
    if isinstance(line, str) and ":" in line:
        name, _, text = line.partition(":")
        return name, text.strip(), where
    details.problems.append(ExportProblem(where, f'expected a "Name: value" header line, found {kind_of(line)}'))
    return None


def _expectations(details: Fields, threshold: timedelta | None) -> Spec:
    expect: Spec = {}
    contains, lacks = details.text("shouldcontain"), details.text("shouldnotcontain")
    if contains:
        expect["body_contains"] = literal(contains)
    if lacks:
        expect["body_not_contains"] = literal(lacks)
    if threshold is not None:
        expect["max_response_time"] = format_duration(threshold)
    return expect


def _certificate(draft: Draft, details: Fields, hostname: str, port: int | None) -> None:
    """A tls check for Pingdom's `ssl_down_days_before`: down when the certificate has fewer days left."""
    check, http = draft.check, draft.spec
    days = details.whole("ssl_down_days_before", low=0) or check.fields.whole("ssl_down_days_before", low=0)
    if not days:
        return
    spec: Spec = {"type": "tls", "name": literal(f"{check.name} certificate")}
    spec.update({key: http[key] for key in ("paused", "severity") if key in http})
    spec["host"] = literal(hostname)
    if port is not None and port != 443:
        spec["port"] = port
    spec["expiry"] = {"critical": f"{days}d"}
    spec["labels"] = _labels(check)
    draft.converted.specs.append(("certificate", spec))
    draft.converted.comments["certificate"] = [f"Down when the certificate expires within {days} days, as in Pingdom"]


def _tcp(draft: Draft) -> str | None:
    check, spec = draft.check, draft.spec
    fields, details = check.fields, _details(check)
    hostname = fields.text("hostname", required=True)
    if check.details is None:
        return f"the list export has no port: save GET /api/3.1/checks/{check.id} and import that"
    port = details.whole("port", low=1, high=65535, required=True)
    if hostname is None or port is None:
        return None
    if draft.threshold is not None:
        spec["timeout"] = draft.timeout()
    spec.update(host=literal(hostname), port=port)
    send, expect = details.text("stringtosend"), details.text("stringtoexpect")
    if send:
        spec["send"] = literal(_without_line_end(send))
    if expect:
        spec["expect"] = literal(expect)
    spec["labels"] = _labels(check)
    draft.converted.specs.append(("", spec))
    return None


def _without_line_end(text: str) -> str:
    r"""Our probe ends what it sends with \r\n itself: dropping one line ending keeps a line protocol's bytes."""
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            return text[: -len(ending)]
    return text


def _dns(draft: Draft) -> str | None:
    check, spec, converted = draft.check, draft.spec, draft.converted
    fields, details = check.fields, _details(check)
    hostname = fields.text("hostname", required=True)
    if hostname is None:
        return None
    del spec["name"]  # a dns check's `name` is the name looked up, so it has no display name
    if draft.threshold is not None:
        spec["timeout"] = draft.timeout()
    expected = details.text("expectedip") or fields.text("expectedip")
    spec["name"] = literal(hostname)
    spec["record"] = "AAAA" if expected and ":" in expected else "A"
    nameserver = details.text("nameserver")
    if nameserver and _is_address(nameserver):
        spec["resolver"] = nameserver
    elif nameserver:
        converted.notes.append(
            f"Pingdom asked the name server {nameserver}; Watchkeeper's dns check needs a resolver's IP address, "
            "so this one asks the system's resolver: add resolver: with the server's address to ask it instead"
        )
    if expected:
        spec["expect"] = {"contains": [literal(expected)]}
    elif check.details is None:
        converted.notes.append("the list export has no expected address: the check passes when the name resolves")
    spec["labels"] = _labels(check)
    converted.specs.append(("", spec))
    return None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


_MAPPINGS: dict[str, Callable[[Draft], str | None]] = {"http": _http, "tcp": _tcp, "dns": _dns}
"""Each type Watchkeeper can run: its mapping returns a reason to skip, or None with the checks added."""

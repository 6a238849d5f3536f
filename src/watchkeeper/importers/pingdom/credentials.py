"""Credentials found in a Pingdom export become `${VAR}` secret references; their values are never copied.

What counts as a credential: the basic auth password, request headers such as Authorization, Cookie or
X-Api-Key, and fields with names such as password, token or key in a form or JSON POST body or in the URL's
query. A POST body that mentions such a word but is neither a form nor JSON is moved into a secret whole,
since there is no telling which part of it is the secret. Every other text is copied with `${` written as
`$${`, so that nothing from the export is ever read as a reference.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from watchkeeper.importers.fragment import literal

_WORDS = ("password", "passwd", "pwd", "secret", "token", "apikey", "key", "auth", "session", "signature", "credential")
_EXACT = ("pass", "sig", "cookie")
_SCHEME = re.compile(r"(?i)(bearer|basic|token|digest|apikey|api-key)(\s+)(\S.*)")
_FORM = re.compile(r"[^&=\s]+(=[^&\s]*)?(&[^&=\s]+(=[^&\s]*)?)*")
_SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "cookie")


def is_credential_name(name: str) -> bool:
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    return squashed in _EXACT or any(word in squashed for word in _WORDS)


@dataclass(frozen=True)
class SecretNeeded:
    """A variable the user must set before the catalog loads, and what it must hold."""

    name: str
    what: str
    location: str
    """Where the value is in the export."""
    in_export: bool = True
    """False when the export left the value out (Pingdom's API may not return passwords)."""


@dataclass
class Secrets:
    """The secret references of one check: names made unique, and what each one holds."""

    prefix: str
    """`PINGDOM_<check id>`: Pingdom's ids are unique and stable, so the names are too."""
    owner: str
    """The check, as named in descriptions."""
    needed: list[SecretNeeded] = field(default_factory=list)

    def reference(self, part: str, what: str, location: str, *, in_export: bool = True) -> str:
        base = f"{self.prefix}_{re.sub(r'[^A-Z0-9]+', '_', part.upper()).strip('_') or 'SECRET'}"
        name, number = base, 1
        while any(known.name == name for known in self.needed):
            number += 1
            name = f"{base}_{number}"
        self.needed.append(SecretNeeded(name, f"{what} of {self.owner}", location, in_export))
        return "${" + name + "}"


def header_value(name: str, value: str, secrets: Secrets, location: str) -> str:
    """A request header's value, with a credential replaced by a reference (keeping a scheme such as Bearer)."""
    if name.lower() not in _SENSITIVE_HEADERS and not is_credential_name(name):
        return literal(value)
    scheme = _SCHEME.fullmatch(value.strip())
    if scheme:
        what = f'the text after "{scheme.group(1)} " in the {name} header'
        return scheme.group(1) + scheme.group(2) + secrets.reference(f"HEADER_{name}", what, location)
    return secrets.reference(f"HEADER_{name}", f"the {name} header", location)


def body(text: str, secrets: Secrets, location: str) -> str:
    """A POST body with credentials replaced by references."""
    as_json = _json_object(text)
    if as_json is not None:
        return _json_body(as_json, text, secrets, location)
    if "=" in text and _FORM.fullmatch(text):
        return _form(
            literal(text),
            lambda key: secrets.reference(f"BODY_{key}", f"the URL-encoded {key} field", location),
        )
    if is_credential_name(text):
        return secrets.reference("BODY", "the whole POST body (it mentions a credential)", location)
    return literal(text)


def query(path: str, secrets: Secrets, location: str) -> str:
    """A URL path with credentials in its query (`?token=...`) replaced by references."""
    before, mark, rest = literal(path).partition("?")
    if not mark:
        return before
    query_text, hash_mark, fragment = rest.partition("#")
    replaced = _form(
        query_text, lambda key: secrets.reference(f"QUERY_{key}", f"the URL-encoded {key} query parameter", location)
    )
    return f"{before}?{replaced}{hash_mark}{fragment}"


def _form(text: str, reference: Callable[[str], str]) -> str:
    parts = []
    for part in text.split("&"):
        key, equals, value = part.partition("=")
        if equals and value and is_credential_name(unquote_plus(key)):
            part = f"{key}={reference(unquote_plus(key))}"
        parts.append(part)
    return "&".join(parts)


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _json_body(value: dict[str, Any], text: str, secrets: Secrets, location: str) -> str:
    found = False

    def walk(node: Any) -> Any:
        nonlocal found
        if isinstance(node, dict):
            replaced = {}
            for key, item in node.items():
                if isinstance(item, str) and is_credential_name(key):
                    found = True
                    replaced[literal(key)] = secrets.reference(f"BODY_{key}", f"the {key} field", location)
                else:
                    replaced[literal(key)] = walk(item)
            return replaced
        if isinstance(node, list):
            return [walk(item) for item in node]
        return literal(node) if isinstance(node, str) else node

    rewritten = walk(value)
    # Untouched JSON keeps its own spelling; rewritten JSON is written compactly, which means the same.
    return json.dumps(rewritten, ensure_ascii=False, separators=(",", ":")) if found else literal(text)

"""Integration keys: issued at runtime for a team integration in the catalog, shown once, kept only as a
SHA-256 digest and a four-character hint. A key is 32 lower-case hexadecimal characters, like a PagerDuty
routing key (clients check the length), and 128 random bits: too many to guess, so one fast digest is enough and
an endpoint can find the key's integration by its digest with an index (ADR 0025)."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from watchkeeper.integrations import Integration, IntegrationType
from watchkeeper.services.audit import Actor, record
from watchkeeper.services.ownership import require_member
from watchkeeper.services.refusals import Conflict, person_text
from watchkeeper.store import Database
from watchkeeper.store import integration_keys as store
from watchkeeper.store.integration_keys import IntegrationRow

KEY_LENGTH = 32
HINT_LENGTH = 4
_WELL_FORMED = re.compile(r"^[a-z0-9]{32}$")
"""What could be a key: issued keys are hexadecimal, and anything else of this shape is looked up and not found."""
NAME_LIMIT = 200
NO_KEY = "none"
"""The key version of an integration without a key."""
KEY_PLACEHOLDER = "<key>"
ENDPOINTS: dict[str, str] = {
    "alertmanager": "/api/v1/integrations/alertmanager/<key>",
    "pagerduty_events_v2": "/v2/enqueue",
    "sentry": "/api/v1/integrations/sentry/<key>",
    "generic": "/api/v1/alerts",
}
"""Where each type of integration posts; `<key>` is replaced by the key. PagerDuty's key goes in the event's
`routing_key` and the generic one in `Authorization: Bearer <key>`."""
KEY_PLACES: dict[str, str] = {
    "alertmanager": "in the URL",
    "pagerduty_events_v2": "as routing_key",
    "sentry": "in the URL",
    "generic": "as Authorization: Bearer <key>",
}


class UnknownIntegration(LookupError):
    """No integration in the catalog has this id; the message names the closest ones."""


class KeyChanged(Conflict):
    """The integration's key is no longer the one the person was shown: someone else rotated it meanwhile, or
    the browser sent the same form again (a reload of the page that showed the new key)."""


@dataclass(frozen=True)
class IssuedKey:
    integration: IntegrationRow
    """As it was before this key replaced its previous one."""
    key: str
    issued_at: datetime
    issued_by: str | None = None


def new_key() -> str:
    return secrets.token_hex(KEY_LENGTH // 2)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def endpoint_url(base_url: str, integration_type: str, key: str = KEY_PLACEHOLDER) -> str:
    return base_url.rstrip("/") + ENDPOINTS[integration_type].replace(KEY_PLACEHOLDER, key)


def rotate(db: Database, integration_id: str, now: datetime, actor: Actor) -> IssuedKey:
    """Issues a new key for the integration; the previous key stops working when this commits."""
    key = new_key()
    with db.transaction() as connection:
        row = _known(connection, integration_id)
        require_member(actor, [row.team_id], f"integration {integration_id}")
        store.replace(connection, integration_id, digest_of(key), key[-HINT_LENGTH:], now, actor.name)
        _audit(connection, actor, now, row, key)
    return IssuedKey(row, key, now, actor.name)


def rotate_seen(db: Database, integration_id: str, now: datetime, actor: Actor, seen: str) -> IssuedKey:
    """A rotation asked for by a person on a page that showed key version `seen` (`key_version`): refused with
    KeyChanged when the key is no longer that one, so that a form sent twice never silently replaces the key it
    has just shown."""
    name = person_text(actor.name, "name", NAME_LIMIT)
    key = new_key()
    try:
        with db.transaction() as connection:
            row = _known(connection, integration_id)
            require_member(actor, [row.team_id], f"integration {integration_id}")
            if key_version(row) != seen:
                raise KeyChanged(_changed(row))
            if not store.replace_if_unchanged(connection, row, digest_of(key), key[-HINT_LENGTH:], now, name):
                raise KeyChanged("another rotation replaced the key a moment ago")
            _audit(connection, actor, now, row, key)
    except IntegrityError:  # a first key issued by another request between our read and our insert
        raise KeyChanged("another request issued a key a moment ago") from None
    return IssuedKey(row, key, now, name)


def _audit(connection: Connection, actor: Actor, now: datetime, row: IntegrationRow, key: str) -> None:
    """The key's last characters, as pages show them; never the key."""
    before = {"hint": row.hint} if row.hint else None
    after = {"hint": key[-HINT_LENGTH:]}
    record(connection, actor, now, "integration.rotate-key", ("integration", row.id), row.team_id, before, after)


def key_version(row: IntegrationRow) -> str:
    """Which key a page showed, for its form to say which key it means to replace: the hint and issue time
    (microseconds included, so two rotations within a second differ), never anything derived from the key beyond
    the hint that pages show anyway."""
    if row.hint is None or row.issued_at is None:
        return NO_KEY
    return f"{row.hint}-{row.issued_at:%Y%m%dT%H%M%S%f}"


def find_integration(db: Database, integration_id: str) -> IntegrationRow | None:
    with db.reading() as connection:
        return store.integration(connection, integration_id)


def list_integrations(db: Database) -> list[IntegrationRow]:
    with db.reading() as connection:
        return store.integrations(connection)


def authenticate(db: Database, key: str, integration_type: IntegrationType) -> Integration | None:
    """The integration of this type that `key` belongs to; None for a key that is unknown, malformed, of an
    integration of another type, or of one no longer in the catalog (the caller answers all alike)."""
    if not _WELL_FORMED.match(key):
        return None
    with db.reading() as connection:
        row = store.find_by_digest(connection, digest_of(key))
    if row is None or row.type != integration_type:
        return None
    return Integration(row.id, row.team_id, integration_type)


def _known(connection: Connection, integration_id: str) -> IntegrationRow:
    row = store.integration(connection, integration_id)
    if row is None:
        known = [found.id for found in store.integrations(connection)]
        raise UnknownIntegration(_unknown(integration_id, known))
    return row


def _changed(row: IntegrationRow) -> str:
    if row.issued_at is None:
        return "the page named a key that this integration does not have"
    by = f" by {row.issued_by}" if row.issued_by else ""
    when = f"{row.issued_at:%Y-%m-%d %H:%M:%S} UTC"
    return f"the key was replaced since the page was shown: it now ends {row.hint}, issued {when}{by}"


def _unknown(integration_id: str, known: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(integration_id, known, n=3)
    if close:
        return f"no integration {integration_id!r} in the catalog (did you mean {' or '.join(close)}?)"
    if not known:
        return f"no integration {integration_id!r}: the catalog in force declares no integrations"
    return f"no integration {integration_id!r} in the catalog; `watchkeeper integrations list` shows them"

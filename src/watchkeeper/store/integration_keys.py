"""Integration keys: the SHA-256 digest of each team integration's key, its last characters and when it was
issued. The key itself is never stored."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select

from watchkeeper.store import tables as t


@dataclass(frozen=True)
class IntegrationRow:
    """A catalog integration with the key issued for it, if any."""

    id: str
    team_id: str
    type: str
    name: str | None
    hint: str | None = None
    issued_at: datetime | None = None
    issued_by: str | None = None


def find_by_digest(connection: Connection, digest: str) -> IntegrationRow | None:
    """The integration whose key has this digest, while the integration is still in the catalog."""
    query = _listing().where(t.integration_keys.c.digest == digest)
    row = connection.execute(query).first()
    return None if row is None else IntegrationRow(*row)


def integrations(connection: Connection) -> list[IntegrationRow]:
    """Every integration in the catalog, by team then id, with its key's hint and issue time."""
    query = _listing(outer=True).order_by(t.integrations.c.team_id, t.integrations.c.id)
    return [IntegrationRow(*row) for row in connection.execute(query)]


def integration(connection: Connection, integration_id: str) -> IntegrationRow | None:
    row = connection.execute(_listing(outer=True).where(t.integrations.c.id == integration_id)).first()
    return None if row is None else IntegrationRow(*row)


def replace(connection: Connection, integration_id: str, digest: str, hint: str, at: datetime, by: str | None) -> None:
    """Keeps `digest` as the integration's only key: the previous one stops working in the same commit."""
    connection.execute(delete(t.integration_keys).where(t.integration_keys.c.integration_id == integration_id))
    values = {"integration_id": integration_id, "digest": digest, "hint": hint, "issued_at": at, "issued_by": by}
    connection.execute(insert(t.integration_keys).values(**values))


def replace_if_unchanged(
    connection: Connection, seen: IntegrationRow, digest: str, hint: str, at: datetime, by: str | None
) -> bool:
    """Like `replace`, but only while the integration's key is still the one `seen` has (or it still has none):
    False when another rotation has replaced it since. A rotation committed in between has deleted the seen row
    (none deleted here), or, for a first key, inserted one (the primary key refuses this insert)."""
    keys = t.integration_keys
    if seen.hint is not None:
        still = (keys.c.integration_id == seen.id) & (keys.c.hint == seen.hint) & (keys.c.issued_at == seen.issued_at)
        if connection.execute(delete(keys).where(still)).rowcount != 1:
            return False
    values = {"integration_id": seen.id, "digest": digest, "hint": hint, "issued_at": at, "issued_by": by}
    connection.execute(insert(keys).values(**values))
    return True


def _listing(outer: bool = False) -> Select[Any]:
    keys, integrations_ = t.integration_keys, t.integrations
    joined = integrations_.join(keys, keys.c.integration_id == integrations_.c.id, isouter=outer)
    return select(
        integrations_.c.id,
        integrations_.c.team_id,
        integrations_.c.type,
        integrations_.c.name,
        keys.c.hint,
        keys.c.issued_at,
        keys.c.issued_by,
    ).select_from(joined)

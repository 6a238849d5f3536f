"""The audit log: who changed what, when, through what, and the object before and after.

Every change is recorded by the service that makes it, inside the transaction that makes it, so that a change
and its record are never apart: a change that fails leaves no record, and no change goes unrecorded."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from watchkeeper.domain.access import Principal
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import audit as store
from watchkeeper.store.audit import AuditFilter, AuditRow

VIA = ("console", "api", "cli", "link", "engine", "server")
PAGE_LIMIT = 500


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and through what."""

    principal: Principal
    via: str
    """console, api, cli, link, engine or server; `api` whenever a token signed the request."""

    def __post_init__(self) -> None:
        # Console routes accept a token too (a script may post a form): the change was made through the API,
        # whichever route took it, and the log must not say somebody used the console.
        if self.principal.via == "token" and self.via == "console":
            object.__setattr__(self, "via", "api")

    @property
    def name(self) -> str:
        return self.principal.name


def cli_actor(name: str) -> Actor:
    """Someone at the server with the database's credentials: they could change anything, and are named as they
    say, as `git` names an author."""
    return Actor(Principal(name=name, platform_admin=True, via="cli"), "cli")


def server_actor(reason: str) -> Actor:
    """The server acting on its own, such as loading the catalog at start or on SIGHUP."""
    return Actor(Principal(name=f"watchkeeper ({reason})", platform_admin=True, via="server"), "server")


def record(
    connection: Connection,
    actor: Actor,
    at: datetime,
    action: str,
    obj: tuple[str, str],
    team: str | None = None,
    before: Any = None,
    after: Any = None,
) -> int:
    kind, object_id = obj
    values = {
        "at": at,
        "actor": actor.name,
        "account_id": actor.principal.account_id,
        "token_id": actor.principal.token_id,
        "via": actor.via,
        "action": action,
        "object_kind": kind,
        "object_id": object_id,
        "team_id": team,
        "before": before,
        "after": after,
    }
    return store.add(connection, values)


def events(db: Database, where: AuditFilter, limit: int = 50) -> list[AuditRow]:
    with db.reading() as connection:
        return store.listing(connection, where, min(max(limit, 1), PAGE_LIMIT))


def event(db: Database, event_id: int) -> AuditRow:
    with db.reading() as connection:
        row = store.get(connection, event_id)
    if row is None:
        raise NotFound(f"no audit event {event_id}")
    return row


def as_json(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "account_id": row.account_id,
        "token_id": row.token_id,
        "via": row.via,
        "action": row.action,
        "object": {"kind": row.object_kind, "id": row.object_id},
        "team": row.team_id,
        "before": row.before,
        "after": row.after,
    }

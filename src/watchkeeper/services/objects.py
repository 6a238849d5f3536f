"""Changing catalog objects through the API. Objects from files are read-only here: the file is the truth and
the next sync would undo the change. Objects created here are marked origin 'api' and the sync leaves them be.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from watchkeeper.services.audit import Actor, record
from watchkeeper.services.clock import Clock
from watchkeeper.services.ownership import require_member
from watchkeeper.store import Database
from watchkeeper.store import tables as t


class ObjectError(Exception):
    """A refusal with the reason; `status` is the HTTP status that fits it."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ObjectError):
    status = 404


class ReadOnly(ObjectError):
    status = 409


class FromFile(ReadOnly):
    """A write to an object from a catalog file: the file is the truth, so that is where to change it."""

    def __init__(self, section: str, object_id: str, verb: str, noun: str | None = None) -> None:
        self.section = section
        self.object_id = object_id
        self.verb = verb
        self.noun = noun or section.removesuffix("s")
        super().__init__(self.explained(None))

    def explained(self, where: str | None) -> str:
        kind = self.noun
        source = f"the catalog file {where}" if where else "a catalog file"
        change = "it there" if where else "the file"
        return (
            f"{kind} '{self.object_id}' comes from {source} and cannot be {self.verb} through the API; "
            f"change {change} and reload the catalog instead"
        )


class AlreadyExists(ObjectError):
    status = 409


class BadReference(ObjectError):
    status = 422


@dataclass(frozen=True)
class ServiceFields:
    name: str
    owner: str
    platform: str | None = None
    depends_on: tuple[str, ...] = ()
    runbook: str | None = None
    description: str | None = None


def create_service(db: Database, clock: Clock, service_id: str, fields: ServiceFields, actor: Actor) -> None:
    """Made by a member of the owning team (or a platform admin), audited in the same transaction."""
    now = clock.now()
    require_member(actor, [fields.owner], f"a service owned by {fields.owner}")
    with db.transaction() as connection:
        origin = _origin(connection, service_id)
        if origin == "file":
            raise FromFile("services", service_id, "created again")
        if origin is not None:
            raise AlreadyExists(f"service '{service_id}' already exists")
        _check_references(connection, service_id, fields)
        connection.execute(
            insert(t.services).values(id=service_id, **_columns(fields), origin="api", created_at=now, updated_at=now)
        )
        _set_dependencies(connection, service_id, fields.depends_on)
        obj = ("service", service_id)
        record(connection, actor, now, "service.create", obj, fields.owner, after=_as_json(fields))


def update_service(db: Database, clock: Clock, service_id: str, fields: ServiceFields, actor: Actor) -> None:
    """By a member of the team that owns it now, and of the team it is given to."""
    now = clock.now()
    with db.transaction() as connection:
        _require_known(connection, service_id)
        before = _spec(connection, service_id)
        require_member(actor, [before["owner"], fields.owner], f"service {service_id}")
        _require_api_origin(connection, service_id, "changed")
        _check_references(connection, service_id, fields)
        connection.execute(
            update(t.services).where(t.services.c.id == service_id).values(**_columns(fields), updated_at=now)
        )
        connection.execute(delete(t.service_dependencies).where(t.service_dependencies.c.service_id == service_id))
        _set_dependencies(connection, service_id, fields.depends_on)
        obj = ("service", service_id)
        record(connection, actor, now, "service.update", obj, fields.owner, before, _as_json(fields))


def delete_service(db: Database, clock: Clock, service_id: str, actor: Actor) -> None:
    with db.transaction() as connection:
        _require_known(connection, service_id)
        before = _spec(connection, service_id)
        require_member(actor, [before["owner"]], f"service {service_id}")
        _require_api_origin(connection, service_id, "deleted")
        users = (
            connection.execute(
                select(t.service_dependencies.c.service_id).where(t.service_dependencies.c.depends_on_id == service_id)
            )
            .scalars()
            .all()
        )
        if users:
            raise ReadOnly(f"service '{service_id}' cannot be deleted: {', '.join(sorted(users))} depend on it")
        connection.execute(delete(t.service_dependencies).where(t.service_dependencies.c.service_id == service_id))
        connection.execute(delete(t.services).where(t.services.c.id == service_id))
        record(connection, actor, clock.now(), "service.delete", ("service", service_id), before["owner"], before)


def _spec(connection: Connection, service_id: str) -> dict[str, Any]:
    """A service as the audit log keeps it: its fields as the API takes them."""
    s, d = t.services.c, t.service_dependencies.c
    row = connection.execute(select(s.spec, s.owner_team_id, s.platform_id).where(s.id == service_id)).one()
    uses = connection.execute(select(d.depends_on_id).where(d.service_id == service_id)).scalars()
    return {**row.spec, "owner": row.owner_team_id, "platform": row.platform_id, "depends_on": sorted(uses)}


def _as_json(fields: ServiceFields) -> dict[str, Any]:
    return {**_columns(fields)["spec"], "platform": fields.platform, "depends_on": sorted(set(fields.depends_on))}


def _origin(connection: Connection, service_id: str) -> str | None:
    return connection.execute(select(t.services.c.origin).where(t.services.c.id == service_id)).scalar()


def _require_known(connection: Connection, service_id: str) -> None:
    if _origin(connection, service_id) is None:
        raise NotFound(f"no service '{service_id}'")


def _require_api_origin(connection: Connection, service_id: str, verb: str) -> None:
    origin = _origin(connection, service_id)
    if origin is None:
        raise NotFound(f"no service '{service_id}'")
    if origin == "file":
        raise FromFile("services", service_id, verb)


def _check_references(connection: Connection, service_id: str, fields: ServiceFields) -> None:
    if connection.execute(select(t.teams.c.id).where(t.teams.c.id == fields.owner)).first() is None:
        raise BadReference(f"owner: no team '{fields.owner}'")
    platform = fields.platform
    if platform and connection.execute(select(t.platforms.c.id).where(t.platforms.c.id == platform)).first() is None:
        raise BadReference(f"platform: no platform '{platform}'")
    for dependency in fields.depends_on:
        if dependency == service_id:
            raise BadReference("depends_on: a service cannot depend on itself")
        if _origin(connection, dependency) is None:
            raise BadReference(f"depends_on: no service '{dependency}'")
        if _reaches(connection, dependency, service_id):
            raise BadReference(f"depends_on: '{dependency}' already depends on '{service_id}'; that would be a cycle")


def _reaches(connection: Connection, start: str, target: str) -> bool:
    """Whether `start` depends on `target`, directly or through other services."""
    seen, frontier = {start}, [start]
    while frontier:
        rows = connection.execute(
            select(t.service_dependencies.c.depends_on_id).where(t.service_dependencies.c.service_id.in_(frontier))
        ).scalars()
        frontier = [d for d in rows if d not in seen]
        if target in frontier:
            return True
        seen.update(frontier)
    return False


def _columns(fields: ServiceFields) -> dict[str, Any]:
    spec = {
        "name": fields.name,
        "owner": fields.owner,
        "runbook": fields.runbook,
        "description": fields.description,
    }
    return {"name": fields.name, "owner_team_id": fields.owner, "platform_id": fields.platform, "spec": spec}


def _set_dependencies(connection: Connection, service_id: str, depends_on: tuple[str, ...]) -> None:
    if depends_on:
        connection.execute(
            insert(t.service_dependencies),
            [{"service_id": service_id, "depends_on_id": d, "origin": "api"} for d in sorted(set(depends_on))],
        )

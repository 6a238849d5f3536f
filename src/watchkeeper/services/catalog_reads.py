"""Reading the catalog's team-kept objects for the API: people, schedule definitions, escalation policies and
integrations (whose keys are never shown: only the hint and when the key was issued)."""

from typing import Any

from sqlalchemy import RowMapping

from watchkeeper.domain.keyset import Key, Page
from watchkeeper.services.integration_keys import KEY_PLACES, endpoint_url
from watchkeeper.services.refusals import NotFound
from watchkeeper.store import Database
from watchkeeper.store import catalog_pages as store


def people(db: Database, team: str | None, email: str | None, after: Key | None, limit: int) -> Page[dict[str, Any]]:
    with db.reading() as connection:
        found = store.people(connection, team, email, after, limit)
    return Page([person_view(row) for row in found.items], found.next)


def person(db: Database, person_id: str) -> dict[str, Any]:
    with db.reading() as connection:
        return person_view(_known(store.person(connection, person_id), "person", person_id))


def schedules(db: Database, team: str | None, after: Key | None, limit: int) -> Page[dict[str, Any]]:
    with db.reading() as connection:
        found = store.schedules(connection, team, after, limit)
    return Page([schedule_view(row) for row in found.items], found.next)


def schedule(db: Database, schedule_id: str) -> dict[str, Any]:
    with db.reading() as connection:
        return schedule_view(_known(store.schedule(connection, schedule_id), "schedule", schedule_id))


def policies(db: Database, team: str | None, after: Key | None, limit: int) -> Page[dict[str, Any]]:
    with db.reading() as connection:
        found = store.policies(connection, team, after, limit)
    return Page([policy_view(row) for row in found.items], found.next)


def policy(db: Database, policy_id: str) -> dict[str, Any]:
    with db.reading() as connection:
        return policy_view(_known(store.policy(connection, policy_id), "escalation policy", policy_id))


def integrations(
    db: Database, team: str | None, integration_type: str | None, after: Key | None, limit: int
) -> Page[dict[str, Any]]:
    with db.reading() as connection:
        found = store.integrations(connection, team, integration_type, after, limit)
    return Page([integration_view(row) for row in found.items], found.next)


def integration(db: Database, integration_id: str) -> dict[str, Any]:
    with db.reading() as connection:
        return integration_view(_known(store.integration(connection, integration_id), "integration", integration_id))


def person_view(row: RowMapping) -> dict[str, Any]:
    spec = row["spec"]
    return {
        **_common(row),
        "name": row["name"],
        "email": row["email"],
        "phone": row["phone"],
        "timezone": row["timezone"],
        "notify": [{"via": rule["via"], "after": rule["after"]} for rule in spec.get("notify", [])],
    }


def schedule_view(row: RowMapping) -> dict[str, Any]:
    layers = [
        {
            "name": layer.get("name"),
            "start": layer["start"],
            "rotation": list(layer["rotation"]),
            "turn": layer["turn"],
            "restrict": [_restriction(r) for r in layer.get("restrict", [])],
        }
        for layer in row["spec"]["layers"]
    ]
    return {**_common(row), "name": row["name"], "timezone": row["timezone"], "layers": layers}


def _restriction(restriction: dict[str, Any]) -> dict[str, Any]:
    return {"days": list(restriction["days"]), "from": restriction["from"], "to": restriction["to"]}


def policy_view(row: RowMapping) -> dict[str, Any]:
    spec = row["spec"]
    levels = [{"after": level.get("after"), "notify": list(level["notify"])} for level in spec["levels"]]
    return {
        **_common(row),
        "name": row["name"],
        "levels": levels,
        "repeat": spec.get("repeat", 0),
        "repeat_after": spec.get("repeat_after"),
        "ack_timeout": spec.get("ack_timeout"),
    }


def integration_view(row: RowMapping) -> dict[str, Any]:
    key = None
    if row["hint"] is not None:
        key = {"hint": row["hint"], "issued_at": row["issued_at"], "issued_by": row["issued_by"]}
    return {
        **_common(row),
        "type": row["type"],
        "name": row["name"],
        "endpoint": endpoint_url("", row["type"]),
        "key_place": KEY_PLACES.get(row["type"], ""),
        "key": key,
    }


def _common(row: RowMapping) -> dict[str, Any]:
    return {"id": row["id"], "team": row["team_id"], "origin": row["origin"]}


def _known(row: RowMapping | None, kind: str, wanted: str) -> RowMapping:
    if row is None:
        raise NotFound(f"no {kind} '{wanted}'")
    return row

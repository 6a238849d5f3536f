"""Check state changes as alerts: DOWN triggers, UP resolves, one dedup key per check.

The engine reads `check_state_changes` after a cursor and moves the cursor in the same transaction as the alerts
it writes, so a crash replays changes rather than losing them, and none is raised twice.
"""

from typing import Any

from sqlalchemy import Connection, RowMapping, func, insert, select, update

from watchkeeper.domain.alerts import Link, Signal, Subject
from watchkeeper.services.alerts import receive_many
from watchkeeper.store import Database
from watchkeeper.store import tables as t
from watchkeeper.store.alerts import Owner

CURSOR = "check-alerts"
BATCH = 2000


def raise_from_changes(db: Database, limit: int = BATCH) -> int:
    """Turns the state changes not yet read into alerts; returns how many changes were read."""
    with db.transaction() as connection:
        position = _cursor(connection)
        c = t.check_state_changes
        query = select(c).where(c.c.id > position).order_by(c.c.id).limit(limit)
        changes = list(connection.execute(query).mappings())
        if not changes:
            return 0
        checks = _checks(connection, {row["check_id"] for row in changes})
        items = []
        for change in changes:
            signal = signal_of(change, checks.get(change["check_id"]))
            if signal is not None:
                items.append((signal, change["at"], checks[change["check_id"]]["owner"]))
        receive_many(connection, items)
        _move(connection, changes[-1]["id"])
        return len(changes)


def signal_of(change: RowMapping, check: dict[str, Any] | None) -> Signal | None:
    """The signal a confirmed UP or DOWN makes; None for flapping notes, first results and removed checks."""
    if change["kind"] != "status" or check is None:
        return None
    if change["after"] == "down":
        action, summary = "trigger", f"{check['name']} is DOWN: {change['reason']}"
    elif change["after"] == "up" and change["before"] == "down":
        action, summary = "resolve", f"{check['name']} is UP: {change['reason']}"
    else:
        return None
    return Signal(
        action=action,  # type: ignore[arg-type]
        dedup_key=f"check:{change['check_id']}",
        source="check",
        subject=Subject("check", change["check_id"]),
        severity=check["severity"],
        summary=summary,
        details={"check": change["check_id"], "type": check["type"], "reason": change["reason"]},
        links=check["links"],
        labels=check["labels"],
    )


def _checks(connection: Connection, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Name, severity, labels and the owner's links of each check."""
    k, s, p = t.checks, t.services, t.platforms
    query = (
        select(
            k.c.id,
            k.c.name,
            k.c.type,
            k.c.severity,
            k.c.spec,
            k.c.service_id,
            k.c.platform_id,
            s.c.platform_id.label("service_platform"),
            func.coalesce(s.c.owner_team_id, p.c.owner_team_id).label("team"),
            s.c.spec.label("service"),
            p.c.spec.label("platform"),
        )
        .select_from(k.outerjoin(s, k.c.service_id == s.c.id).outerjoin(p, k.c.platform_id == p.c.id))
        .where(k.c.id.in_(ids))
    )
    found = {}
    for row in connection.execute(query):
        owner = row.service or row.platform or {}
        labels = {**owner.get("labels", {}), **row.spec.get("labels", {})}
        found[row.id] = {
            "name": row.name or row.id,
            "type": row.type,
            "severity": row.severity,
            "labels": labels,
            "links": tuple(Link(owner[key], key) for key in ("runbook", "dashboard", "logs") if owner.get(key)),
            "owner": Owner(row.team, row.service_id, row.service_platform if row.service_id else row.platform_id),
        }
    return found


def _cursor(connection: Connection) -> int:
    row = connection.execute(select(t.cursors.c.position).where(t.cursors.c.name == CURSOR)).first()
    if row is not None:
        return int(row.position)
    # The first time: changes from before alerting existed are history, not news.
    start = connection.execute(select(func.max(t.check_state_changes.c.id))).scalar() or 0
    connection.execute(insert(t.cursors).values(name=CURSOR, position=start))
    return int(start)


def _move(connection: Connection, position: int) -> None:
    connection.execute(update(t.cursors).where(t.cursors.c.name == CURSOR).values(position=position))

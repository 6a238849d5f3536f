"""What follows a change to an alert, in the same transaction (ADR 0021): a new alert is checked for
suppression, attached to a failing platform or dependency it depends on, routed by its owning team's routes and
put in a group; any change that its owners should hear of marks its group due to notify."""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.catalog.teams import Route
from watchkeeper.domain import grouping, routing
from watchkeeper.domain.alerts import Outcome
from watchkeeper.domain.grouping import GroupClock
from watchkeeper.domain.routing import Choice, Facts, Rule, Timing
from watchkeeper.services import calendar
from watchkeeper.store import alerts as store
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t


def after_change(connection: Connection, alert_id: int, outcome: Outcome, now: datetime) -> None:
    row = store.get(connection, alert_id)
    assert row is not None
    if outcome == "opened":
        place(connection, row, now)
    elif outcome in ("acknowledged", "resolved") and row["group_key"] is not None and row["suppressed_by"] is None:
        mark_changed(connection, row["group_key"], now)


def place(connection: Connection, row: RowMapping, now: datetime) -> None:
    """Decides where a new alert goes and records each decision on its timeline."""
    org = book.organisation(connection)
    cause = find_cause(connection, row)
    suppressed = calendar.suppressed_by(connection, row, now)
    severity = row["severity"]
    if cause is not None and suppressed is None:
        store.add_event(connection, row["id"], now, "attached", _attached_message(cause, org.dependency_alerts))
        if org.dependency_alerts == "quiet":
            suppressed = f"cause:{cause['id']}"
        elif org.dependency_alerts == "notify":
            severity = "info"
    facts = _facts(row, severity, calendar.in_hours(org, now))
    choice = choose_route(connection, facts)
    store.change(
        connection,
        row["id"],
        route=_route_json(choice),
        group_key=choice.group_key,
        suppressed_by=suppressed,
        cause_alert_id=cause["id"] if cause is not None else None,
    )
    store.add_event(connection, row["id"], now, "routed", _routed_message(choice))
    if suppressed is not None:
        store.add_event(connection, row["id"], now, "suppressed", f"not notified: {_why(suppressed)}")
        return
    ensure_group(connection, choice, now)
    mark_changed(connection, choice.group_key, now)


def _facts(row: RowMapping, severity: str, in_hours: bool) -> Facts:
    return Facts(
        team=row["team_id"],
        severity=severity,  # type: ignore[arg-type]
        source=row["source"],
        service=row["service_id"],
        platform=row["platform_id"],
        check=row["subject_id"] if row["subject_kind"] == "check" else None,
        labels=row["labels"] or {},
        in_hours=in_hours,
    )


def choose_route(connection: Connection, facts: Facts) -> Choice:
    team = book.team_routing(connection, facts.team)
    rules = [rule_of(position, route) for position, route in enumerate(team.routes)]
    first_levels = {policy.id: tuple(policy.levels[0].notify) for policy in team.policies.values()}
    return routing.choose(rules, facts, first_levels, sorted(team.channels))


def rule_of(position: int, route: Route) -> Rule:
    match = route.match
    timing = Timing(
        wait=route.group_wait if route.group_wait is not None else routing.DEFAULT_GROUP_WAIT,
        interval=route.group_interval or routing.DEFAULT_GROUP_INTERVAL,
        repeat=route.repeat_interval or routing.DEFAULT_REPEAT_INTERVAL,
    )
    return Rule(
        position=position,
        severities=_values(match.severity) if match else (),
        sources=_values(match.source) if match else (),
        services=_values(match.service) if match else (),
        labels=dict(match.labels) if match else {},
        hours=match.hours if match else None,
        escalation_policy=route.escalation_policy,
        notify=tuple(route.notify),
        group_by=tuple(route.group_by),
        timing=timing,
    )


def _values(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _route_json(choice: Choice) -> dict[str, Any]:
    return {
        "team": choice.team,
        "position": choice.position,
        "targets": list(choice.targets),
        "escalation_policy": choice.escalation_policy,
        "group_labels": dict(choice.group_labels),
        "wait": choice.timing.wait.total_seconds(),
        "interval": choice.timing.interval.total_seconds(),
        "repeat": choice.timing.repeat.total_seconds(),
    }


def timing_of(route: Mapping[str, Any]) -> Timing:
    return Timing(
        wait=timedelta(seconds=route["wait"]),
        interval=timedelta(seconds=route["interval"]),
        repeat=timedelta(seconds=route["repeat"]),
    )


def _routed_message(choice: Choice) -> str:
    if choice.position == routing.DEFAULT_POSITION:
        where = f"no route of team {choice.team} matched; every channel of the team"
    else:
        where = f"route {choice.position + 1} of team {choice.team}"
    policy = f", escalation policy {choice.escalation_policy}" if choice.escalation_policy else ""
    targets = ", ".join(choice.targets) or "nobody (the route names no channel yet)"
    return f"{where}{policy}: {targets}"


def _attached_message(cause: RowMapping, mode: str) -> str:
    what = {"notify": "its team is told without being paged", "page": "it pages as usual", "quiet": "recorded only"}
    return f"attached to alert {cause['id']} ({cause['summary'][:120]}), which it depends on: {what[mode]}"


def _why(suppressed: str) -> str:
    kind, _, ident = suppressed.partition(":")
    return {"maintenance": "maintenance window", "silence": "silence", "cause": "attached to alert"}.get(
        kind, kind
    ) + f" {ident}"


def find_cause(connection: Connection, row: RowMapping) -> RowMapping | None:
    """The earliest open check alert of a platform or service this alert's subject depends on, if any."""
    platforms: list[str] = []
    services: list[str] = []
    if row["service_id"] is not None:
        services = book.services_below(connection, row["service_id"])
        own_platform = row["platform_id"]
        if own_platform is not None:
            platforms = [own_platform, *book.platforms_below(connection, own_platform)]
    elif row["platform_id"] is not None:
        platforms = book.platforms_below(connection, row["platform_id"])
    if not platforms and not services:
        return None
    a = t.alerts
    on_platform = a.c.platform_id.in_(platforms) & a.c.service_id.is_(None)
    query = (
        select(a)
        .where(a.c.status != "resolved", a.c.source == "check", a.c.id != row["id"])
        .where(on_platform | a.c.service_id.in_(services))
        .order_by(a.c.created_at, a.c.id)
        .limit(1)
    )
    return connection.execute(query).mappings().first()


def ensure_group(connection: Connection, choice: Choice, now: datetime) -> None:
    """The group's row, created once whoever gets there first (two transactions may race on PostgreSQL)."""
    values = {
        "key": choice.group_key,
        "team_id": choice.team,
        "route": _route_json(choice),
        "created_at": now,
        "flushes": 0,
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(t.alert_groups).values(**values).on_conflict_do_nothing())


def mark_changed(connection: Connection, group_key: str, now: datetime) -> None:
    """Something in the group its owners have not heard of: the group is due per its timing."""
    g = t.alert_groups
    row = connection.execute(select(g).where(g.c.key == group_key).with_for_update()).mappings().first()
    if row is None:
        return
    clock = GroupClock(flushed_at=row["flushed_at"], flush_at=row["flush_at"])
    due = grouping.after_change(clock, now, timing_of(row["route"]))
    connection.execute(update(g).where(g.c.key == group_key).values(flush_at=due, changed_at=now))

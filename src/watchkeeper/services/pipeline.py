"""What follows a change to an alert, in the same transaction (ADR 0021): a new alert is checked for
suppression, attached to a failing platform or dependency it depends on, routed by its owning team's routes and
put in a group; any change that its owners should hear of marks its group due to notify."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchkeeper.catalog.teams import EscalationPolicy, Route
from watchkeeper.domain import grouping, routing
from watchkeeper.domain.grouping import GroupClock
from watchkeeper.domain.routing import Choice, Facts, Rule, Timing
from watchkeeper.services import calendar
from watchkeeper.store import escalations
from watchkeeper.store import routing as book
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class Placement:
    """Where a new alert goes: the columns that say so, the events that record why, and its group (None when
    it is suppressed and notifies nobody)."""

    columns: dict[str, Any]
    events: list[tuple[str, str]]
    choice: Choice | None


def place(connection: Connection, alert: Mapping[str, Any], now: datetime) -> Placement:
    """Decides where a new alert (not yet stored) goes: suppression, attachment, route and group."""
    view = routing_book(connection)
    org = view.organisation
    cause = find_cause(connection, view, alert)
    suppressed = calendar.suppressed_by(connection, alert, now)
    severity = alert["severity"]
    events: list[tuple[str, str]] = []
    if cause is not None and suppressed is None:
        events.append(("attached", _attached_message(cause, org.dependency_alerts)))
        if org.dependency_alerts == "quiet":
            suppressed = f"cause:{cause['id']}"
        elif org.dependency_alerts == "notify":
            severity = "info"
    choice = view.route(_facts(alert, severity, calendar.in_hours(org, now)))
    events.append(("routed", _routed_message(choice)))
    if suppressed is not None:
        events.append(("suppressed", f"not notified: {_why(suppressed)}"))
    columns = {
        "route": route_json(choice),
        "group_key": choice.group_key,
        "suppressed_by": suppressed,
        "cause_alert_id": cause["id"] if cause is not None else None,
    }
    return Placement(columns, events, None if suppressed is not None else choice)


def reattach(connection: Connection, alert: Mapping[str, Any], now: datetime) -> bool:
    """An alert not yet notified whose platform or dependency has failed since it was placed (the two often fail
    within seconds, in either order) is attached now, before anyone is paged. True when it leaves its group."""
    placed = place(connection, alert, now)
    if placed.columns["cause_alert_id"] is None:
        return False
    update_alert = update(t.alerts).where(t.alerts.c.id == alert["id"]).values(**placed.columns)
    connection.execute(update_alert)
    rows = [
        {"alert_id": alert["id"], "at": now, "kind": kind, "message": text, "actor": None, "data": None}
        for kind, text in placed.events
    ]
    connection.execute(insert(t.alert_events), rows)
    if placed.choice is None:
        return True
    if placed.choice.group_key == alert["group_key"]:
        return False
    mark_changed(connection, placed.choice.group_key, placed.columns["route"], now)
    return True


def suppress_now(connection: Connection, alert: RowMapping, now: datetime) -> bool:
    """An open alert that a silence or window made after it opened now covers is set aside (its timeline says
    so); `release` tells its owners again when that ends. True when it is set aside."""
    reason = calendar.suppressed_by(connection, dict(alert), now)
    if reason is None:
        return False
    a = t.alerts
    connection.execute(update(a).where(a.c.id == alert["id"]).values(suppressed_by=reason))
    event = {"alert_id": alert["id"], "at": now, "kind": "suppressed", "actor": None, "data": None}
    connection.execute(insert(t.alert_events), {**event, "message": f"not notified from now: {_why(reason)}"})
    return True


def cause_pending(connection: Connection, alert: RowMapping) -> bool:
    """Whether a check of the alert's platform, or of what it depends on, is failing but not yet DOWN: the
    platform's own alert may be seconds away, and with it the reason not to page this alert's team."""
    view = routing_book(connection)
    platforms, services = _below(view, dict(alert))
    if not platforms and not services:
        return False
    k, st = t.checks, t.check_states
    on_platform = k.c.platform_id.in_(platforms) & k.c.service_id.is_(None)
    query = (
        select(k.c.id)
        .join(st, st.c.check_id == k.c.id)
        .where(on_platform | k.c.service_id.in_(services), st.c.failures > 0, st.c.status != "down")
        .where(k.c.paused.is_(False), k.c.severity == "page")
        .limit(1)
    )
    return connection.execute(query).first() is not None


def note_held(connection: Connection, alert: RowMapping, now: datetime) -> None:
    """Says once on the alert's timeline why its notification waits."""
    held = select(t.alert_events.c.id).where(t.alert_events.c.alert_id == alert["id"], t.alert_events.c.kind == "held")
    if connection.execute(held.limit(1)).first() is not None:
        return
    text = "waiting: a check of its platform or of what it depends on is failing and may yet confirm DOWN"
    event = {"alert_id": alert["id"], "at": now, "kind": "held", "message": text, "actor": None, "data": None}
    connection.execute(insert(t.alert_events), event)


def detach(connection: Connection, now: datetime) -> int:
    """Open alerts attached to an alert that has resolved are placed again: a service still DOWN once its
    platform is back is its own team's to answer, at its own severity. Returns how many."""
    a = t.alerts
    resolved_causes = select(a.c.id).where(a.c.status == "resolved")
    query = select(a).where(a.c.status != "resolved", a.c.cause_alert_id.in_(resolved_causes)).order_by(a.c.id)
    rows = connection.execute(query).mappings().all()
    for row in rows:
        placed = place(connection, {**row, "cause_alert_id": None}, now)
        columns = {**placed.columns, "notified_status": None}
        if row["suppressed_by"] is not None and not row["suppressed_by"].startswith("cause:"):
            columns["suppressed_by"] = row["suppressed_by"]  # a window or silence still holds it
        connection.execute(update(a).where(a.c.id == row["id"]).values(**columns))
        text = f"alert {row['cause_alert_id']}, which it was attached to, has resolved; placed again on its own"
        events = [("detached", text), *placed.events]
        rows_ = [
            {"alert_id": row["id"], "at": now, "kind": k, "message": m, "actor": None, "data": None} for k, m in events
        ]
        connection.execute(insert(t.alert_events), rows_)
        if placed.choice is not None and columns["suppressed_by"] is None:
            mark_changed(connection, placed.choice.group_key, columns["route"], now)
    return len(rows)


def release(connection: Connection, now: datetime) -> int:
    """Open alerts whose maintenance window or silence has ended are notified now, as if they had just opened:
    a check still DOWN after the window is news its owners need. Returns how many were released."""
    a = t.alerts
    held = a.c.suppressed_by.like("maintenance:%") | a.c.suppressed_by.like("silence:%")
    rows = connection.execute(select(a).where(a.c.status != "resolved", held)).mappings().all()
    released = 0
    for row in rows:
        if calendar.suppressed_by(connection, dict(row), now) is not None or row["route"] is None:
            continue
        # Told again even if told before it was set aside: it is still open after the silence or window.
        connection.execute(update(a).where(a.c.id == row["id"]).values(suppressed_by=None, notified_status=None))
        ended = f"{_why(row['suppressed_by'])} is over while the alert is still open: notifying"
        message = {"alert_id": row["id"], "at": now, "kind": "released", "message": ended, "actor": None, "data": None}
        connection.execute(insert(t.alert_events), message)
        mark_changed(connection, row["group_key"], row["route"], now)
        released += 1
    return released


def _facts(alert: Mapping[str, Any], severity: str, in_hours: bool) -> Facts:
    return Facts(
        team=alert["team_id"],
        severity=severity,  # type: ignore[arg-type]
        source=alert["source"],
        service=alert["service_id"],
        platform=alert["platform_id"],
        check=alert["subject_id"] if alert["subject_kind"] == "check" else None,
        labels=alert["labels"] or {},
        in_hours=in_hours,
    )


class RoutingBook:
    """What routing reads from the catalog, read once a transaction: the catalog cannot change inside one."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.organisation = book.organisation(connection)
        self._teams: dict[str, tuple[list[Rule], dict[str, tuple[str, ...]], list[str]]] = {}
        self._below: dict[tuple[str, str], list[str]] = {}
        self._routings: dict[str, book.TeamRouting] = {}

    def route(self, facts: Facts) -> Choice:
        rules, first_levels, channels = self._team(facts.team)
        return routing.choose(rules, facts, first_levels, channels)

    def targets_now(self, team_id: str, route: Mapping[str, Any]) -> tuple[str, ...]:
        """A group's targets as the catalog in force has them (its route edited since the group began, or its
        policy), or as they were when the route is gone."""
        rules, first_levels, channels = self._team(team_id)
        position = route["position"]
        if position == routing.DEFAULT_POSITION:
            return tuple(f"channel:{channel}" for channel in channels)
        if 0 <= position < len(rules):
            rule = rules[position]
            return first_levels.get(rule.escalation_policy, ()) if rule.escalation_policy else rule.notify
        return tuple(route["targets"])

    def policy_now(self, team_id: str, route: Mapping[str, Any]) -> EscalationPolicy | None:
        """The escalation policy a group's route names, as the catalog in force has it; None when its route
        notifies channels, or when route or policy has gone (the group then tells the targets it had)."""
        team = self._routing(team_id)
        position = route["position"]
        if 0 <= position < len(team.routes) and team.routes[position].escalation_policy:
            return team.policies.get(team.routes[position].escalation_policy or "")
        return None

    def _routing(self, team_id: str) -> book.TeamRouting:
        if team_id not in self._routings:
            self._routings[team_id] = book.team_routing(self.connection, team_id)
        return self._routings[team_id]

    def _team(self, team_id: str) -> tuple[list[Rule], dict[str, tuple[str, ...]], list[str]]:
        if team_id not in self._teams:
            team = self._routing(team_id)
            rules = [rule_of(position, route) for position, route in enumerate(team.routes)]
            first_levels = {policy.id: tuple(policy.levels[0].notify) for policy in team.policies.values()}
            self._teams[team_id] = (rules, first_levels, sorted(team.channels))
        return self._teams[team_id]

    def below(self, kind: str, ident: str) -> list[str]:
        """What a service or platform depends on, directly or not."""
        key = (kind, ident)
        if key not in self._below:
            finder = book.services_below if kind == "service" else book.platforms_below
            self._below[key] = finder(self.connection, ident)
        return self._below[key]


def routing_book(connection: Connection) -> RoutingBook:
    transaction = connection.get_transaction()
    cached = connection.info.get("watchkeeper_book")
    if cached is None or cached[0] is not transaction:
        cached = (transaction, RoutingBook(connection))
        connection.info["watchkeeper_book"] = cached
    found: RoutingBook = cached[1]
    return found


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


def route_json(choice: Choice) -> dict[str, Any]:
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


def _below(view: RoutingBook, alert: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The platforms and services the alert's subject depends on: its service's platform and the platforms that
    one depends on, and the services its service depends on; for a platform's alert, the platforms below."""
    if alert["service_id"] is not None:
        services = view.below("service", alert["service_id"])
        own = alert["platform_id"]
        return ([own, *view.below("platform", own)] if own is not None else []), services
    if alert["platform_id"] is not None:
        return view.below("platform", alert["platform_id"]), []
    return [], []


def find_cause(connection: Connection, view: RoutingBook, alert: Mapping[str, Any]) -> RowMapping | None:
    """The earliest open paging check alert of a platform or service this alert's subject depends on, if any.
    Only `page` checks say a platform is down: a certificate near expiry (a `ticket`) excuses nobody's outage."""
    platforms, services = _below(view, alert)
    if not platforms and not services:
        return None
    a = t.alerts
    on_platform = a.c.platform_id.in_(platforms) & a.c.service_id.is_(None)
    query = (
        select(a.c.id, a.c.summary)
        .where(a.c.status != "resolved", a.c.source == "check", a.c.severity == "page")
        .where(on_platform | a.c.service_id.in_(services))
        .order_by(a.c.created_at, a.c.id)
        .limit(1)
    )
    return connection.execute(query).mappings().first()


def mark_changed(connection: Connection, group_key: str, route: Mapping[str, Any], now: datetime) -> None:
    """Something in the group its owners have not heard of: the group is due per its timing. The group's row
    is made by whoever gets there first (two transactions may race to make it on PostgreSQL)."""
    g = t.alert_groups
    timing = timing_of(route)
    row = connection.execute(select(g).where(g.c.key == group_key).with_for_update()).mappings().first()
    if row is None:
        due = grouping.after_change(GroupClock(None, None), now, timing)
        values = {
            "key": group_key,
            "team_id": route["team"],
            "route": dict(route),
            "created_at": now,
            "changed_at": now,
            "flush_at": due,
            "flushes": 0,
        }
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        made = connection.execute(dialect.insert(g).values(**values).on_conflict_do_nothing())
        if made.rowcount == 1:
            return
        row = connection.execute(select(g).where(g.c.key == group_key).with_for_update()).mappings().one()
    clock = GroupClock(flushed_at=row["flushed_at"], flush_at=row["flush_at"])
    due = grouping.after_change(clock, now, timing)
    connection.execute(update(g).where(g.c.key == group_key).values(flush_at=due, changed_at=now))
    escalations.wake(connection, group_key, now)  # an acknowledgement stops paging at once, not at the flush

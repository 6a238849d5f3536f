"""Alert benchmarks: a storm of check failures through the real pipeline (state change -> alert -> route ->
group -> outbox), delivery throughput to a local webhook receiver, and a kill -9 in the middle of a storm.

    python -m bench.alerts --scenario storm       # 10,000 failures across 500 services within a minute
    python -m bench.alerts --databases sqlite --scenario storm --services 100
"""

import argparse
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.__main__ import apply_catalog, database

GROUP_WAIT = 10
"""Seconds a group waits for the rest of a storm before it notifies."""


def storm_catalog(folder: Path, services: int, checks: int, teams: int) -> Path:
    """`services` services of `checks` checks each, shared out among `teams` teams with one inbox each."""
    lines = ["teams:\n"]
    for team in range(teams):
        lines.append(
            f"  - id: team-{team}\n    name: Team {team}\n    channels: [{{id: inbox-{team}, type: inbox}}]\n"
            f"    routes: [{{notify: ['channel:inbox-{team}'], group_wait: {GROUP_WAIT}s}}]\n"
        )
    lines.append("services:\n")
    for service in range(services):
        lines.append(f"  - id: svc-{service}\n    name: Service {service}\n    owner: team-{service % teams}\n")
        lines.append("    checks:\n")
        for check in range(checks):
            lines.append(f"      - {{id: c-{service}-{check}, type: tcp, host: localhost, port: 1}}\n")
    path = folder / "storm.yaml"
    path.write_text("".join(lines))
    return path


@dataclass
class StormFigures:
    changes: int
    alerts: int
    groups: int
    notifications: int
    most_per_group: int
    to_alert: list[float]
    """Seconds from a batch of state changes being written to its alerts being stored."""
    late: list[float]
    """Seconds each notification was written after its group was due (its first change plus the wait)."""
    seconds: float


def storm(database_url: str, services: int, checks: int, spread: float) -> StormFigures:
    """Writes `services * checks` DOWN state changes over `spread` seconds, each service's within four seconds,
    while the engine's alerting duty runs as it does in the server (a pass every 0.2 s)."""
    from watchkeeper.engine.alerting import PASS_EVERY, Alerting
    from watchkeeper.services.clock import SystemClock
    from watchkeeper.services.notifying import Outbox
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    db = Database(database_url)
    plan = sorted(
        (service * spread / services + check * 4.0 / checks, f"c-{service}-{check}")
        for service in range(services)
        for check in range(checks)
    )
    stop = threading.Event()
    alerting = Alerting(db, SystemClock(), Outbox())

    def duty() -> None:
        while not stop.is_set():
            alerting.run_pass()
            stop.wait(PASS_EVERY)

    batches: list[tuple[float, int]] = []  # (wall time written, alerts expected once it is read)
    to_alert: list[float] = []

    def watch() -> None:
        pending = 0
        while not stop.is_set() or pending < len(batches):
            with db.reading() as connection:
                stored = connection.execute(select(func.count()).select_from(t.alerts)).scalar_one()
            now = time.perf_counter()
            while pending < len(batches) and batches[pending][1] <= stored:
                to_alert.append(now - batches[pending][0])
                pending += 1
            time.sleep(0.02)

    threads = [threading.Thread(target=duty), threading.Thread(target=watch)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    written = 0
    while written < len(plan):
        elapsed = time.perf_counter() - started
        due = [check for offset, check in plan[written:] if offset <= elapsed]
        if due:
            at = datetime.now(UTC)
            rows = [{"check_id": c, "at": at, "before": "up", "after": "down", "reason": "refused"} for c in due]
            with db.transaction() as connection:
                connection.execute(insert(t.check_state_changes), rows)
            written += len(due)
            batches.append((time.perf_counter(), written))
        time.sleep(0.1)
    time.sleep(GROUP_WAIT + 3)
    stop.set()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return _storm_figures(db, written, to_alert, seconds)


def _storm_figures(db: object, written: int, to_alert: list[float], seconds: float) -> StormFigures:
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    assert isinstance(db, Database)
    with db.reading() as connection:
        alerts = connection.execute(select(func.count()).select_from(t.alerts)).scalar_one()
        first_change = dict(
            connection.execute(
                select(t.alerts.c.group_key, func.min(t.alerts.c.created_at)).group_by(t.alerts.c.group_key)
            ).all()
        )
        rows = connection.execute(select(t.notifications.c.group_key, t.notifications.c.created_at)).all()
    per_group = Counter(key for key, _ in rows)
    late = sorted(
        max(0.0, (created - first_change[key]).total_seconds() - GROUP_WAIT) for key, created in rows
    )
    return StormFigures(
        changes=written,
        alerts=alerts,
        groups=len(first_change),
        notifications=len(rows),
        most_per_group=max(per_group.values(), default=0),
        to_alert=sorted(to_alert),
        late=late,
        seconds=seconds,
    )


def p(values: list[float], share: float) -> float:
    return values[max(int(len(values) * share) - 1, 0)] if values else float("nan")


def report_storm(kind: str, figures: StormFigures) -> None:
    one_each = figures.most_per_group == 1 and figures.notifications == figures.groups
    print(
        f"storm, {kind:<10} {figures.changes:,} state changes -> {figures.alerts:,} alerts in {figures.groups:,}"
        f" groups -> {figures.notifications:,} notifications ({'one per group' if one_each else 'NOT one per group'})"
    )
    print(
        f"  state change -> alert stored   p50 {statistics.median(figures.to_alert) * 1000:,.0f} ms,"
        f" p99 {p(figures.to_alert, 0.99) * 1000:,.0f} ms"
    )
    print(
        f"  due -> outbox (after the {GROUP_WAIT} s group wait)  p50 {statistics.median(figures.late) * 1000:,.0f} ms,"
        f" p99 {p(figures.late, 0.99) * 1000:,.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["storm", "all"], default="all")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--checks", type=int, default=20, help="checks a service")
    parser.add_argument("--spread", type=float, default=50.0, help="seconds over which the storm arrives")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        catalog = storm_catalog(folder, args.services, args.checks, teams=max(args.services // 10, 1))
        print(
            f"\n== storm: {args.services * args.checks:,} check failures across {args.services:,} services"
            f" within {args.spread:g} s; group wait {GROUP_WAIT} s"
        )
        for kind in kinds:
            with database(kind, folder / kind) as database_url:
                apply_catalog(database_url, catalog)
                report_storm(kind, storm(database_url, args.services, args.checks, args.spread))


if __name__ == "__main__":
    main()

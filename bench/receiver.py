"""A webhook receiver for the alert benchmarks, in its own process (uvloop): it answers every POST with 200 and
appends each delivery's idempotency key and the alert ids in its body to a file, one line each, so that the
benchmark can count what arrived even across a kill -9 of the server that sends."""

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO

import uvloop
from aiohttp import web

from bench.target import free_port


def start_receiver(log: Path, delay: float = 0.0) -> tuple[subprocess.Popen[str], str]:
    """The receiver process and its URL; it answers each delivery `delay` seconds after it has logged it."""
    port = free_port()
    command = [sys.executable, "-m", "bench.receiver", str(port), str(log), str(delay)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    if process.stdout is None or process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the benchmark receiver did not start")
    return process, f"http://127.0.0.1:{port}/hook"


def received(log: Path) -> list[tuple[str, list[int]]]:
    """(idempotency key, alert ids) of every delivery that arrived, repeats included."""
    found = []
    for line in log.read_text().splitlines():
        key, _, ids = line.partition(" ")
        found.append((key, [int(i) for i in ids.split(",") if i]))
    return found


def handler(out: IO[str], delay: float) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def take(request: web.Request) -> web.Response:
        body = await request.read()
        ids = ",".join(str(alert["id"]) for alert in json.loads(body).get("alerts", []))
        out.write(f"{request.headers.get('Watchkeeper-Delivery', '-')} {ids}\n")
        out.flush()
        if delay:  # a slow receiver: deliveries are in flight when the sender is killed
            await asyncio.sleep(delay)
        return web.Response(text="ok")

    return take


async def main(port: int, log: str, delay: float) -> None:
    with open(log, "a", encoding="utf-8") as out:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/{tail:.*}", handler(out, delay))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), sys.argv[2], float(sys.argv[3])))

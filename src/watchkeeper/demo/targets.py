"""Loopback HTTP targets for the demo: one healthy, one flapping, one slow and one failing."""

import asyncio
import time
from dataclasses import dataclass

from aiohttp import web

FLAP_PERIOD_SECONDS = 60.0
SLOW_SECONDS = 3.0


async def healthy(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "database": {"healthy": True}})


async def flapping(_request: web.Request) -> web.Response:
    # Up for a minute, down for a minute: enough to show state changes without waiting long.
    if int(time.monotonic() // FLAP_PERIOD_SECONDS) % 2:
        return web.json_response({"status": "degraded"}, status=500)
    return web.json_response({"status": "ok"})


async def slow(_request: web.Request) -> web.Response:
    await asyncio.sleep(SLOW_SECONDS)
    return web.json_response({"status": "ok"})


async def failing(_request: web.Request) -> web.Response:
    return web.Response(status=503, text="database unavailable")


@dataclass
class Targets:
    base_url: str
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_targets(host: str = "127.0.0.1", port: int = 0) -> Targets:
    app = web.Application()
    app.router.add_get("/healthy", healthy)
    app.router.add_get("/flapping", flapping)
    app.router.add_get("/slow", slow)
    app.router.add_get("/failing", failing)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    return Targets(f"http://{host}:{bound_port}", runner)

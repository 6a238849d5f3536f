"""Loopback targets for the demo: over HTTP one healthy, one flapping, one slow and one failing; over HTTPS
one whose certificate is about to expire."""

import asyncio
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from watchkeeper.demo.certificates import DemoCertificate, make_certificate

FLAP_PERIOD_SECONDS = 25.0
SLOW_SECONDS = 3.0


async def healthy(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "database": {"healthy": True}})


async def flapping(_request: web.Request) -> web.Response:
    # Up for 25 s, down for 25 s: checked every 15 s, that is enough changes to count as flapping.
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
    tls_port: int
    certificate: DemoCertificate

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_targets(folder: Path, host: str = "127.0.0.1", port: int = 0) -> Targets:
    app = web.Application()
    app.router.add_get("/healthy", healthy)
    app.router.add_get("/flapping", flapping)
    app.router.add_get("/slow", slow)
    app.router.add_get("/failing", failing)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    certificate = make_certificate(folder, host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate.chain, certificate.key)
    await web.TCPSite(runner, host, 0, ssl_context=context).start()
    bound_port, tls_port = (address[1] for address in runner.addresses)
    return Targets(f"http://{host}:{bound_port}", runner, tls_port, certificate)

"""The benchmark's target: a small HTTP server in its own process (uvloop), answering every path with 200."""

import asyncio
import sys

import uvloop
from aiohttp import web


async def ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def main(port: int) -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", ok)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))

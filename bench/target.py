"""The benchmark's target: a small HTTP(S) server in its own process (uvloop), answering every path with 200.
It listens on several loopback addresses, so that the monitors look like many hosts, as they would in an
organisation, and the engine's per-host bound (20 at once to any one host) is not the limit measured."""

import asyncio
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import uvloop
from aiohttp import web

HOSTS = tuple(f"127.0.0.{n}" for n in range(1, 33))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_target(certificate: tuple[Path, Path] | None) -> tuple[subprocess.Popen[str], str]:
    """The target process and its base URL; https when given a certificate and key."""
    port = free_port()
    command = [sys.executable, "-m", "bench.target", str(port), *(str(path) for path in certificate or ())]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    if process.stdout is None or process.stdout.readline().strip() != "ready":
        process.kill()
        raise RuntimeError("the benchmark target did not start")
    return process, f"{'https' if certificate else 'http'}://127.0.0.1:{port}"


async def ok(_request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def main(port: int, certificate: list[str]) -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", ok)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=0)
    await runner.setup()
    context = None
    if certificate:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate[0], certificate[1])
    for host in HOSTS:
        await web.TCPSite(runner, host, port, backlog=4096, ssl_context=context).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1]), sys.argv[2:]))

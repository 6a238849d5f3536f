"""`watchkeeper demo`: everything on loopback, in a temporary folder that is removed on exit."""

import asyncio
import secrets
import tempfile
from importlib.resources import files
from pathlib import Path

import aiohttp
import click

from watchkeeper.demo.targets import Targets, start_targets
from watchkeeper.logs import configure_logging, get_logger
from watchkeeper.services.heartbeats import ping_token
from watchkeeper.settings import Settings
from watchkeeper.wiring import ListenError, run

log = get_logger("watchkeeper.demo")

LATE_HEARTBEAT = "shop-nightly-export"
"""The demo's heartbeat check: pinged once at start and then never again, so it goes DOWN as a late job would."""


def write_demo_catalog(folder: Path, targets: Targets, host: str) -> Path:
    """The built-in demo catalog with the loopback targets' addresses filled in."""
    catalog = folder / "catalog"
    catalog.mkdir()
    values = {
        "__TARGETS__": targets.base_url,
        "__HOST__": host,
        "__TLS_PORT__": str(targets.tls_port),
        "__CA_BUNDLE__": str(targets.certificate.authority),
    }
    for source in files("watchkeeper.demo").joinpath("catalog").iterdir():
        if source.name.endswith(".yaml"):
            text = source.read_text(encoding="utf-8")
            for placeholder, value in values.items():
                text = text.replace(placeholder, value)
            (catalog / source.name).write_text(text)
    return catalog


async def ping_once(url: str, secret_key: str) -> None:
    """The demo's nightly job reports once, as a real job would, through its secret ping URL."""
    token = ping_token(secret_key, LATE_HEARTBEAT)
    try:
        async with aiohttp.ClientSession() as session, session.post(f"{url}ping/{token}", data=b"done") as answer:
            answer.raise_for_status()
    except aiohttp.ClientError as error:
        log.warning("the demo job could not ping", check=LATE_HEARTBEAT, error=str(error))


async def run_demo(port: int, host: str = "127.0.0.1") -> None:
    with tempfile.TemporaryDirectory(prefix="watchkeeper-demo-") as folder:
        targets = await start_targets(Path(folder), host)
        key = secrets.token_urlsafe(48)
        pinging: set[asyncio.Task[None]] = set()
        try:
            settings = Settings(
                demo=True,
                database_url=f"sqlite:///{folder}/watchkeeper.db",
                catalog=write_demo_catalog(Path(folder), targets, host),
                host=host,
                port=port,
                role="all",
                log_format="console",
                secret_key=key,
            )
            redactor = configure_logging(settings.log_level, settings.log_format)

            def ready(url: str) -> None:
                task = asyncio.get_running_loop().create_task(ping_once(url, key))
                pinging.add(task)
                task.add_done_callback(pinging.discard)
                click.echo(
                    f"\n  Watchkeeper demo is running: {url}\n  Demo targets: {targets.base_url}/healthy, "
                    "/flapping, /slow, /failing; a certificate 5 days from expiry on "
                    f"https://{host}:{targets.tls_port}/; a nightly job that pinged once and then went quiet\n"
                    "  Press Ctrl+C to stop.\n"
                )

            try:
                await run(settings, redactor=redactor, on_ready=ready)
            except ListenError as error:
                click.echo(f"{error}; try: watchkeeper demo --port 8001", err=True)
                raise SystemExit(1) from None
        finally:
            await targets.stop()

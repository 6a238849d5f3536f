"""`watchkeeper demo`: everything on loopback, in a temporary folder that is removed on exit."""

import secrets
import tempfile
from importlib.resources import files
from pathlib import Path

import click

from watchkeeper.demo.targets import start_targets
from watchkeeper.logs import configure_logging
from watchkeeper.settings import Settings
from watchkeeper.wiring import ListenError, run

PLACEHOLDER = "__TARGETS__"


def write_demo_catalog(folder: Path, targets_url: str) -> Path:
    """The built-in demo catalog with the loopback targets' address filled in."""
    catalog = folder / "catalog"
    catalog.mkdir()
    for source in files("watchkeeper.demo").joinpath("catalog").iterdir():
        if source.name.endswith(".yaml"):
            (catalog / source.name).write_text(source.read_text(encoding="utf-8").replace(PLACEHOLDER, targets_url))
    return catalog


async def run_demo(port: int, host: str = "127.0.0.1") -> None:
    with tempfile.TemporaryDirectory(prefix="watchkeeper-demo-") as folder:
        targets = await start_targets(host)
        try:
            settings = Settings(
                demo=True,
                database_url=f"sqlite:///{folder}/watchkeeper.db",
                catalog=write_demo_catalog(Path(folder), targets.base_url),
                host=host,
                port=port,
                role="all",
                log_format="console",
                secret_key=secrets.token_urlsafe(48),
            )
            redactor = configure_logging(settings.log_level, settings.log_format)

            def ready(url: str) -> None:
                click.echo(
                    f"\n  Watchkeeper demo is running: {url}\n  Demo targets: {targets.base_url}/healthy, "
                    "/flapping, /slow, /failing\n  Press Ctrl+C to stop.\n"
                )

            try:
                await run(settings, redactor=redactor, on_ready=ready)
            except ListenError as error:
                click.echo(f"{error}; try: watchkeeper demo --port 8001", err=True)
                raise SystemExit(1) from None
        finally:
            await targets.stop()

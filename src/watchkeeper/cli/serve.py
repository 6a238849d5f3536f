"""`watchkeeper serve` and `watchkeeper demo`."""

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import click

from watchkeeper.cli.output import fail
from watchkeeper.settings import Settings, SettingsError


@click.command()
@click.option("--catalog", "catalog_path", type=click.Path(path_type=Path), help="Catalog file or directory to load.")
@click.option("--host", help="Address to listen on (default 127.0.0.1, or WATCHKEEPER_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (default 8000, or WATCHKEEPER_PORT).")
@click.option("--role", type=click.Choice(["all", "web", "engine"]), help="Which roles this process runs.")
def serve(catalog_path: Path | None, host: str | None, port: int | None, role: str | None) -> None:
    """Run Watchkeeper: the web app and the engine in one process (or one role, with --role).

    SIGHUP reloads the catalog; SIGTERM stops cleanly.
    """
    overrides: dict[str, Any] = {
        k: v for k, v in {"catalog": catalog_path, "host": host, "port": port, "role": role}.items() if v is not None
    }
    _run(Settings(**overrides))


@click.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port for the console, on 127.0.0.1."
)
def demo(port: int) -> None:
    """Start a self-contained demo: SQLite in a temporary folder, a built-in catalog and loopback targets."""
    try:
        from watchkeeper.demo.run import run_demo

        asyncio.run(run_demo(port))
    except KeyboardInterrupt:  # Ctrl+C before the demo could handle it: nothing to clean up yet
        raise SystemExit(130) from None


def _run(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from watchkeeper import __version__, error_reporting
    from watchkeeper.cli.database import unreachable_reason
    from watchkeeper.logs import configure_logging
    from watchkeeper.store import UnsupportedDatabase
    from watchkeeper.wiring import ListenError, run

    redactor = configure_logging(settings.log_level, settings.log_format)
    if settings.sentry_dsn:
        error_reporting.start(settings.sentry_dsn.get_secret_value(), redactor, __version__)
    try:
        _run_loop(run(settings, redactor=redactor))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except (SettingsError, UnsupportedDatabase, ListenError) as error:
        fail(str(error))
    except OperationalError as error:
        fail(f"cannot reach the database: {unreachable_reason(error)}")
    finally:
        error_reporting.stop()


def _run_loop(main: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:  # uvloop is a dependency on Linux and macOS; elsewhere the standard loop serves
        asyncio.run(main)
        return
    uvloop.run(main)

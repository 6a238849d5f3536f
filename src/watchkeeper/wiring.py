"""The one place that builds everything from Settings and runs the roles in one asyncio process."""

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from watchkeeper.catalog.secrets import SecretMissing, read_secret
from watchkeeper.engine.loop import Engine
from watchkeeper.logs import Redactor, get_logger
from watchkeeper.services import processes
from watchkeeper.services.catalog import LoadResult, Trigger, apply_catalog_from
from watchkeeper.services.clock import Clock, SystemClock
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry

log = get_logger("watchkeeper")


class CatalogReloader:
    """Applies the catalog files on demand (start, SIGHUP, API); one at a time within the process."""

    def __init__(self, db: Database, clock: Clock, path: Path, redactor: Redactor | None = None) -> None:
        self.db, self.clock, self.path = db, clock, path
        self.redactor = redactor or Redactor()
        self._lock = threading.Lock()

    def __call__(self, trigger: Trigger) -> LoadResult:
        with self._lock:
            result = apply_catalog_from(self.db, self.path, clock=self.clock, trigger=trigger)
        if result.ok:
            self._mask_secrets(result.secrets)
            log.info(
                "catalog loaded",
                outcome=result.outcome,
                trigger=trigger,
                source=result.source,
                **result.changes,
            )
        else:
            log.error(
                "catalog not applied; the catalog in force is unchanged",
                trigger=trigger,
                source=result.source,
                problems=[f"{p['file']}:{p['line']}: {p['message']}" for p in result.problems],
            )
        return result

    def _mask_secrets(self, names: list[str]) -> None:
        """Teach the log redactor the catalog's secret values, so that none can be logged by mistake."""
        for name in names:
            try:
                self.redactor.register(read_secret(name, os.environ))
            except SecretMissing:
                continue  # the loader has already required every secret a valid catalog names


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    context: AppContext
    reloader: CatalogReloader | None


def build(settings: Settings, clock: Clock | None = None, redactor: Redactor | None = None) -> Runtime:
    """Everything the process needs, from one Settings object; applies migrations first."""
    if not settings.demo:
        settings.secret_key_value()  # refuse to start with a missing or placeholder key
    db = Database(settings.database_url)
    db.upgrade()
    clock = clock or SystemClock()
    reloader = CatalogReloader(db, clock, settings.catalog, redactor) if settings.catalog else None
    context = AppContext(settings, db, clock, build_registry(db), settings.catalog, reloader)
    return Runtime(settings, db, clock, context, reloader)


async def serve(runtime: Runtime, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the configured roles until SIGTERM or SIGINT; SIGHUP reloads the catalog."""
    settings = runtime.settings
    stop = asyncio.Event()
    started = runtime.clock.now()
    pid = processes.process_id(started)
    # Bind first: a port in use should stop the process before it changes anything.
    listener = _listen(settings.host, settings.port) if settings.role in ("all", "web") else None
    if runtime.reloader is not None:
        await asyncio.to_thread(runtime.reloader, "demo" if settings.demo else "start")
    await asyncio.to_thread(processes.announce, runtime.db, pid, settings.role, started)
    with _signals(stop, runtime):
        async with asyncio.TaskGroup() as group:
            if settings.role in ("all", "engine"):
                engine = Engine(runtime.db, runtime.clock, pid, settings.heartbeat_interval)
                group.create_task(engine.run(stop))
            if listener is not None:
                group.create_task(_serve_web(_web_server(runtime), listener, stop, on_ready))
            elif on_ready is not None:
                on_ready("")
            await stop.wait()
    await asyncio.to_thread(processes.retire, runtime.db, pid)
    runtime.db.dispose()
    log.info("stopped cleanly")


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: this process decides how to stop."""

    def capture_signals(self) -> Any:
        return nullcontext()


def _web_server(runtime: Runtime) -> _QuietServer:
    app = create_app(runtime.context)
    config = uvicorn.Config(
        app,
        host=runtime.settings.host,
        port=runtime.settings.port,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    return _QuietServer(config)


class ListenError(OSError):
    pass


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves, so that a port in use is a clear message rather than an exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


async def _serve_web(
    server: _QuietServer, listener: socket.socket, stop: asyncio.Event, on_ready: Callable[[str], None] | None
) -> None:
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():
        stop.set()
        await task
        return
    host, port = listener.getsockname()[:2]
    url = f"http://{host}:{port}/"
    log.info("serving", url=url)
    if on_ready is not None:
        on_ready(url)
    await stop.wait()
    server.should_exit = True
    await task


@contextmanager
def _signals(stop: asyncio.Event, runtime: Runtime) -> Iterator[None]:
    loop = asyncio.get_running_loop()

    def reload() -> None:
        if runtime.reloader is None:
            log.warning("SIGHUP ignored: no catalog path was given")
            return
        loop.run_in_executor(None, runtime.reloader, "sighup")

    def shutdown(name: str) -> None:
        log.info("stopping", signal=name)
        stop.set()

    handled = {
        signal.SIGTERM: lambda: shutdown("SIGTERM"),
        signal.SIGINT: lambda: shutdown("SIGINT"),
        signal.SIGHUP: reload,
    }
    for number, handler in handled.items():
        loop.add_signal_handler(number, handler)
    try:
        yield
    finally:
        for number in handled:
            loop.remove_signal_handler(number)

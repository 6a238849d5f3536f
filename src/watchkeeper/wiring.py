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
from watchkeeper.engine.probes import ProbeSettings
from watchkeeper.engine.scheduler import WHOLE
from watchkeeper.logs import Redactor, get_logger
from watchkeeper.memory import give_back
from watchkeeper.services import processes
from watchkeeper.services.audit import Actor
from watchkeeper.services.catalog import LoadResult, Trigger, apply_catalog_from, record_failure
from watchkeeper.services.clock import Clock, SystemClock
from watchkeeper.services.delivery import DeliveryPolicy
from watchkeeper.services.housekeeping import RetentionPolicy
from watchkeeper.services.outbox import Outbox, Reach
from watchkeeper.settings import Settings
from watchkeeper.store import Database
from watchkeeper.web.app import create_app
from watchkeeper.web.context import AppContext
from watchkeeper.web.metrics import build_registry, metrics_app
from watchkeeper.web.paging import page_links_of

log = get_logger("watchkeeper")


class CatalogReloader:
    """Applies the catalog files on demand (start, SIGHUP, API); one at a time within the process."""

    def __init__(self, db: Database, clock: Clock, path: Path, redactor: Redactor | None = None) -> None:
        self.db, self.clock, self.path = db, clock, path
        self.redactor = redactor or Redactor()
        self._lock = threading.Lock()

    def __call__(self, trigger: Trigger, actor: Actor | None = None) -> LoadResult:
        with self._lock:
            try:
                result = apply_catalog_from(self.db, self.path, clock=self.clock, trigger=trigger, actor=actor)
            except Exception as error:  # a bug must not take the server down; the catalog in force stays
                log.error("catalog reload failed unexpectedly", trigger=trigger, exc_info=error)
                result = record_failure(
                    self.db, str(self.path), self.clock.now(), trigger, f"could not load the catalog: {error}"
                )
            give_back()  # a large catalog's objects are gone now; their pages need not stay with the server
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
    single_sign_on = settings.single_sign_on()  # and with single sign-on half set up
    if single_sign_on is not None and redactor is not None:
        redactor.register(single_sign_on.client_secret.get_secret_value())  # never logged, even by mistake
    db = Database(settings.database_url)
    db.upgrade()
    clock = clock or SystemClock()
    reloader = CatalogReloader(db, clock, settings.catalog, redactor) if settings.catalog else None
    context = AppContext(settings, db, clock, build_registry(db), settings.catalog, reloader)
    return Runtime(settings, db, clock, context, reloader)


@dataclass
class _Controls:
    """What the signal handlers act on; filled in as start-up gets that far."""

    stop: asyncio.Event
    reloader: CatalogReloader | None = None
    web: "_QuietServer | None" = None
    metrics: "_QuietServer | None" = None


async def run(
    settings: Settings,
    *,
    redactor: Redactor | None = None,
    clock: Clock | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Build and run the configured roles until SIGTERM or SIGINT; SIGHUP reloads the catalog. Signals are
    handled from the first moment, so a stop during start-up (migrations, the first catalog load) is clean."""
    controls = _Controls(asyncio.Event())
    with _signals(controls):
        runtime = await asyncio.to_thread(build, settings, clock, redactor)
        try:
            await _serve(runtime, controls, on_ready)
        finally:
            runtime.db.dispose()
    log.info("stopped cleanly")


async def _serve(runtime: Runtime, controls: _Controls, on_ready: Callable[[str], None] | None) -> None:
    settings, stop = runtime.settings, controls.stop
    started = runtime.clock.now()
    pid = processes.process_id(started)
    controls.reloader = runtime.reloader
    engine = settings.role in ("all", "engine")
    controls.web = _web_server(runtime) if settings.role in ("all", "web") else None
    metrics_address = settings.engine_metrics_listen() if engine else None
    # Bind first: a port in use should stop the process before it changes anything.
    listener = _listen(settings.host, settings.port) if controls.web is not None else None
    try:
        metrics_listener = _listen(*metrics_address) if metrics_address is not None else None
    except ListenError:
        if listener is not None:
            listener.close()
        raise
    if metrics_listener is not None:
        controls.metrics = _metrics_server(runtime)
    elif settings.role == "engine":
        log.info("the engine serves no metrics of its own; set WATCHKEEPER_ENGINE_METRICS_ADDRESS to scrape it")
    if runtime.reloader is not None and not stop.is_set():
        await asyncio.to_thread(runtime.reloader, "demo" if settings.demo else "start")
    if stop.is_set():
        return
    await asyncio.to_thread(processes.announce, runtime.db, pid, settings.role, started)
    async with asyncio.TaskGroup() as group:
        if engine:
            group.create_task(_engine(runtime, pid).run(stop))
        if controls.metrics is not None and metrics_listener is not None:
            group.create_task(_serve_metrics(controls.metrics, metrics_listener, stop))
        if controls.web is not None and listener is not None:
            group.create_task(_serve_web(controls.web, listener, stop, on_ready))
        elif on_ready is not None:
            on_ready("")
        await stop.wait()
    await asyncio.to_thread(processes.retire, runtime.db, pid)


def _engine(runtime: Runtime, pid: str) -> Engine:
    settings = runtime.settings
    return Engine(
        runtime.db,
        runtime.clock,
        pid,
        settings.heartbeat_interval,
        runtime.context.registry,
        run_checks=settings.run_checks,
        probes=ProbeSettings(
            settings.database_url, WHOLE, log_level=settings.log_level, log_format=settings.log_format
        ),
        probe_processes=settings.probe_process_count(),
        retention=RetentionPolicy(settings.result_retention, settings.rollup_retention),
        outbox=Outbox(
            retry_for=settings.delivery_retry_for,
            public_url=settings.public_url,
            reach=Reach(email=settings.smtp_url is not None, link_life=settings.page_link_life),
        ),
        delivery=DeliveryPolicy(
            smtp_url=settings.smtp_url.get_secret_value() if settings.smtp_url else None,
            email_from=settings.email_from,
            sms_template_id=settings.notify_sms_template_id,
            page_links=page_links_of(settings),  # none without a key (tests): pages then carry no link
        ),
    )


GRACEFUL_SHUTDOWN_SECONDS = 10
"""How long open requests may take to finish after SIGTERM before their connections are closed."""


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
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        lifespan="off",
        server_header=False,
    )
    return _QuietServer(config)


def _metrics_server(runtime: Runtime) -> _QuietServer:
    """The engine's own /metrics: the process's registry (engine figures and the catalog's), nothing else."""
    config = uvicorn.Config(
        metrics_app(runtime.context.registry),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=1,  # a scrape takes well under a second; a stop should not wait on one
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
    def ready(url: str) -> None:
        log.info("serving", url=url)
        if on_ready is not None:
            on_ready(url)

    await _serve_http(server, listener, stop, ready)


async def _serve_metrics(server: _QuietServer, listener: socket.socket, stop: asyncio.Event) -> None:
    await _serve_http(server, listener, stop, lambda url: log.info("serving engine metrics", url=url + "metrics"))


async def _serve_http(
    server: _QuietServer, listener: socket.socket, stop: asyncio.Event, ready: Callable[[str], None]
) -> None:
    """Serve on the bound socket until `stop`; a server that cannot start stops the whole process."""
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():
        stop.set()
        await task
        return
    host, port = listener.getsockname()[:2]
    ready(f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/")
    await stop.wait()
    server.should_exit = True
    await task


@contextmanager
def _signals(controls: _Controls) -> Iterator[None]:
    loop = asyncio.get_running_loop()

    def reload() -> None:
        if controls.reloader is None:
            log.warning("SIGHUP ignored: no catalog is loaded from files")
            return
        loop.run_in_executor(None, controls.reloader, "sighup")  # the reloader logs its own outcome

    def shutdown(name: str) -> None:
        if controls.stop.is_set() and controls.web is not None:
            log.warning("stopping now, closing open connections", signal=name)
            controls.web.force_exit = True  # a second signal does not wait for slow clients
            if controls.metrics is not None:
                controls.metrics.force_exit = True
            return
        log.info("stopping", signal=name)
        controls.stop.set()

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

"""The web app factory: one FastAPI app from one AppContext."""

import time
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchkeeper import __version__
from watchkeeper.logs import get_logger
from watchkeeper.web import health, metrics
from watchkeeper.web.api import catalog as catalog_api
from watchkeeper.web.api import objects as objects_api
from watchkeeper.web.console import views
from watchkeeper.web.console.templating import build_templates
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import install_problem_handlers

VENDOR = Path(__file__).parent / "static" / "vendor"
log = get_logger("watchkeeper.web")


def create_app(context: AppContext) -> FastAPI:
    app = FastAPI(
        title="Watchkeeper",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.context = context
    app.state.templates = build_templates()
    install_problem_handlers(app)
    for router in (health.router, metrics.router, catalog_api.router, objects_api.router, views.router):
        app.include_router(router)
    if not (VENDOR / "govuk-frontend.min.js").exists():
        log.warning("front-end assets are missing; run `make setup` to fetch them", directory=str(VENDOR))
    app.mount(
        "/assets",
        StaticFiles(directory=VENDOR, packages=[("watchkeeper.web", "static")], check_dir=False),
        name="assets",
    )
    app.add_middleware(AccessLog)
    return app


class AccessLog:
    """One structured log line per request, with its status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )

"""Liveness and readiness for load balancers and orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.catalog import catalog_status
from watchkeeper.web.access import PUBLIC
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up and serving; says nothing about its dependencies."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and a catalog is in force."""
    context: AppContext = request.app.state.context

    def check() -> tuple[bool, dict[str, str]]:
        try:
            with context.db.reading() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            return False, {"database": f"unavailable: {type(error).__name__}"}
        status = catalog_status(context.db)
        if status.applied is None:
            return False, {"database": "ok", "catalog": "no catalog has been applied yet"}
        return True, {
            "database": "ok",
            "catalog": "failed reload; last good catalog in force" if status.failed else "ok",
        }

    ready, details = await run_in_threadpool(check)
    return JSONResponse({"status": "ready" if ready else "not ready", **details}, status_code=200 if ready else 503)

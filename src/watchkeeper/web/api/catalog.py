"""The catalog in force, and reloading it from its files."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.audit import Actor
from watchkeeper.services.catalog import catalog_status
from watchkeeper.web.access import CatalogAdmin, Reader
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem, problem_response

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("")
async def status(request: Request, who: Reader) -> dict[str, Any]:
    """The catalog in force and, if the latest load failed, its problems."""
    context: AppContext = request.app.state.context
    current = await run_in_threadpool(catalog_status, context.db)
    return {
        "source": str(context.catalog_path) if context.catalog_path else None,
        "applied": current.applied.as_dict() if current.applied else None,
        "failed": current.failed.as_dict() if current.failed else None,
    }


@router.post("/reload", responses={409: {"description": "no catalog path"}, 422: {"description": "invalid catalog"}})
async def reload(request: Request, who: CatalogAdmin) -> JSONResponse:
    """Load the catalog files again. A bad edit is refused whole and the catalog in force stays."""
    context: AppContext = request.app.state.context
    if context.reload_catalog is None:
        raise Problem(409, "No catalog to reload", "this server was started without --catalog")
    result = await run_in_threadpool(context.reload_catalog, "api", Actor(who, "api"))  # audited when it changes
    if not result.ok:
        return problem_response(
            422,
            "Catalog not applied",
            f"{len(result.problems)} problem(s); the catalog in force is unchanged",
            problems=result.problems,
        )
    return JSONResponse(result.as_dict())

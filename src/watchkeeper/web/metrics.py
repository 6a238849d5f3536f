"""`/metrics` in the Prometheus exposition format: the process's own registry plus catalog state from the
database, so every process (web or engine) tells the same story about the catalog. A process that runs the
engine without the web app serves the same from `metrics_app` on its own address (docs/adr/0016)."""

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from watchkeeper import __version__
from watchkeeper.services.catalog import catalog_status
from watchkeeper.store import Database
from watchkeeper.web.access import MetricsReader
from watchkeeper.web.context import AppContext

router = APIRouter(include_in_schema=False)


class CatalogCollector(Collector):
    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        status = catalog_status(self._db)
        yield InfoMetricFamily("watchkeeper_build", "Watchkeeper version", value={"version": __version__})
        ok = GaugeMetricFamily(
            "watchkeeper_catalog_last_reload_successful",
            "1 when the latest catalog load succeeded, 0 when it failed and an older catalog is in force",
        )
        ok.add_metric([], 1.0 if status.failed is None else 0.0)
        yield ok
        if status.applied is not None:
            applied = GaugeMetricFamily(
                "watchkeeper_catalog_last_success_timestamp_seconds",
                "When the catalog in force was last loaded",
            )
            applied.add_metric([], status.applied.at.timestamp())
            yield applied
            objects = GaugeMetricFamily(
                "watchkeeper_catalog_objects", "Objects in the catalog in force", labels=["kind"]
            )
            for kind, count in sorted(status.applied.summary.items()):
                objects.add_metric([kind], float(count))
            yield objects
        if status.failed is not None:
            problems = GaugeMetricFamily("watchkeeper_catalog_problems", "Problems found by the latest failed load")
            problems.add_metric([], float(len(status.failed.problems)))
            yield problems


def build_registry(db: Database) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CatalogCollector(db))
    return registry


@router.get("/metrics")
async def metrics(request: Request, who: MetricsReader) -> Response:
    context: AppContext = request.app.state.context
    return await exposition(context.registry)


async def exposition(registry: CollectorRegistry) -> Response:
    # In a thread: 100,000 checks take a while to write out, and the engine's loop may share this process.
    body = await run_in_threadpool(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def metrics_app(registry: CollectorRegistry) -> Starlette:
    """The engine's own listener: `GET /metrics` and nothing else (404), no redirects."""

    async def endpoint(_request: Request) -> Response:
        return await exposition(registry)

    app = Starlette(routes=[Route("/metrics", endpoint, methods=["GET"])])
    app.router.redirect_slashes = False  # Starlette's would name whatever Host the request gave
    return app

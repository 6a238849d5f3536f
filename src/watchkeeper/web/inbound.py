"""Where other tools send alerts: Prometheus Alertmanager's webhook, PagerDuty's Events API v2, Sentry's
webhooks and Watchkeeper's generic JSON. Each request is authenticated by an integration key (looked up by its
digest), parsed, and stored before it is answered, so nothing a sender was told was accepted can be lost.

An unknown key gets a 404 that says nothing more, whether the key is unknown, malformed, or another type's. A
payload over 1 MiB gets 413; one that cannot be read, 400 with every problem and where it is. Never a 500.
"""

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool

from watchkeeper.integrations import (
    PAYLOAD_LIMIT,
    BadPayload,
    Inbound,
    Integration,
    IntegrationType,
    alertmanager,
    generic,
    sentry,
)
from watchkeeper.integrations import pagerduty_events_v2 as pagerduty
from watchkeeper.logs import get_logger
from watchkeeper.services import inbound
from watchkeeper.services.alerts import Received
from watchkeeper.services.integration_keys import authenticate
from watchkeeper.store.contention import Contended
from watchkeeper.web.access import PUBLIC
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(tags=["inbound alerts"], dependencies=[PUBLIC])


class PagerDutyAnswer(BaseModel):
    status: str
    message: str
    errors: list[str] = []
    dedup_key: str | None = None


KEYED: dict[int | str, dict[str, Any]] = {
    400: {"description": "a payload that cannot be read, with every problem and where it is"},
    404: {"description": "no integration has this key"},
    413: {"description": "a payload over 1 MiB"},
    415: {"description": "a payload that is not JSON"},
    503: {"description": "the database cannot store it now; retry after Retry-After seconds"},
}
log = get_logger("watchkeeper.web.inbound")
RETRY_AFTER_SECONDS = 30
UNKNOWN_KEY = "no integration has this key"


@router.post(
    "/api/v1/integrations/alertmanager/{key}",
    summary="Prometheus Alertmanager webhook (version 4)",
    responses=KEYED,
)
async def alertmanager_webhook(request: Request, key: str) -> JSONResponse:
    integration = _known(await _find(request, key, "alertmanager"))
    body = await _body(request)
    received = await _store(request, lambda: alertmanager.parse(body, integration))
    return JSONResponse({"status": "success", "alerts": [_result(r) for r in received]})


@router.post("/api/v1/integrations/sentry/{key}", summary="Sentry webhooks for issue alerts", responses=KEYED)
async def sentry_webhook(
    request: Request, key: str, resource: str | None = Header(default=None, alias="Sentry-Hook-Resource")
) -> JSONResponse:
    integration = _known(await _find(request, key, "sentry"))
    body = await _body(request)
    try:
        received = await _store(request, lambda: sentry.parse(body, integration, resource))
    except sentry.NotAnAlert as skipped:
        return JSONResponse({"status": "success", "alerts": [], "note": str(skipped)})
    return JSONResponse({"status": "success", "alerts": [_result(r) for r in received]})


@router.post(
    "/api/v1/alerts",
    summary="Send an alert as generic JSON",
    responses={**KEYED, 401: {"description": "no integration key in Authorization: Bearer"}},
)
async def generic_alert(request: Request, authorization: str | None = Header(default=None)) -> JSONResponse:
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Problem(401, "Unauthorized", "send the integration key as Authorization: Bearer <key>")
    integration = _known(await _find(request, key.strip(), "generic"))
    body = await _body(request)
    posted: list[generic.Alert] = []

    def parse() -> list[Inbound]:
        posted.append(generic.parse(body, integration, uuid.uuid4().hex))
        return [posted[0].inbound]

    [received] = await _store(request, parse)
    return JSONResponse({"status": "success", "dedup_key": posted[0].dedup_key, **_result(received)})


@router.post(
    "/v2/enqueue",
    summary="PagerDuty Events API v2 (alert events)",
    status_code=202,
    responses={
        400: {"model": PagerDutyAnswer, "description": "an invalid event, with its errors, as PagerDuty answers"},
        404: {"model": PagerDutyAnswer, "description": "no integration has this routing key"},
        413: KEYED[413],
        415: KEYED[415],
        503: KEYED[503],
    },
)
async def pagerduty_enqueue(request: Request) -> JSONResponse:
    """As PagerDuty answers: 202 with the dedup key, 400 with `errors` for an invalid event."""
    body = await _body(request)
    try:
        event = pagerduty.read(body)
        integration = await _find(request, pagerduty.routing_key(event), "pagerduty_events_v2")
        if integration is None:
            return _pagerduty_answer(404, pagerduty.INVALID, (UNKNOWN_KEY,))
        found = integration
        parsed: list[pagerduty.Event] = []

        def parse() -> list[Inbound]:
            parsed.append(pagerduty.parse(event, found, uuid.uuid4().hex))
            return [parsed[0].inbound]

        await _store(request, parse)
    except pagerduty.EventRefused as refused:
        return _pagerduty_answer(400, refused.status, refused.errors)
    answer = {"status": "success", "message": "Event processed", "dedup_key": parsed[0].dedup_key}
    return JSONResponse(answer, status_code=202)


async def _find(request: Request, key: str, integration_type: IntegrationType) -> Integration | None:
    context: AppContext = request.app.state.context
    try:
        return await run_in_threadpool(authenticate, context.db, key, integration_type)
    except (OperationalError, PoolTimeout) as error:
        raise _unavailable(error) from None


def _known(integration: Integration | None) -> Integration:
    if integration is None:
        raise Problem(404, "Not found", UNKNOWN_KEY)
    return integration


async def _body(request: Request) -> bytes:
    """The body, read up to the limit (the web guard refuses a declared length over it before this runs)."""
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > PAYLOAD_LIMIT:
            raise Problem(413, "Payload too large", f"the body is over {PAYLOAD_LIMIT} bytes (1 MiB)")
    return bytes(body)


async def _store(request: Request, parse: Callable[[], list[Inbound]]) -> list[Received]:
    """Parses (BadPayload becomes 400) and stores, off the event loop; answers once it has committed."""
    context: AppContext = request.app.state.context

    def work() -> list[Received]:
        inbounds = parse()
        return inbound.accept(context.db, inbounds, context.clock.now())

    try:
        return await run_in_threadpool(work)
    except (pagerduty.EventRefused, sentry.NotAnAlert):
        raise
    except BadPayload as bad:
        raise Problem(400, "Bad request", bad.reason, errors=list(bad.errors)) from None
    except (OperationalError, PoolTimeout, Contended) as error:
        raise _unavailable(error) from None


def _unavailable(error: OperationalError | PoolTimeout | Contended) -> Problem:
    """A database that cannot answer now (down, locked past the busy timeout, no free connection, a race with
    other senders of one alert lost on every attempt): 503 and Retry-After, which every sender here retries."""
    cause = error.orig if isinstance(error, OperationalError) else error
    log.warning("inbound alert not stored: the database is unavailable", error_type=type(cause).__name__)
    detail = "the alert was not stored: the database is unavailable; retry"
    return Problem(503, "Service unavailable", detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _result(received: Received) -> dict[str, Any]:
    result: dict[str, Any] = {"outcome": received.applied.outcome, "alert_id": received.alert_id}
    if received.applied.note:
        result["note"] = received.applied.note
    return result


def _pagerduty_answer(status_code: int, status: str, errors: tuple[str, ...]) -> JSONResponse:
    body = {"status": status, "message": pagerduty.MESSAGES[status], "errors": list(errors)}
    return JSONResponse(body, status_code=status_code)

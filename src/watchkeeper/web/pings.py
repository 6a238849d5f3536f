"""`/ping/<token>` for cron jobs and batch work: GET, HEAD or POST; `/start` when a run begins, `/fail` when it
fails, `/<exit-code>` to report how it ended (0 is success). No sign-in: the token is the credential."""

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.heartbeats import BODY_LIMIT, PingKind, TokenIndex, record_ping
from watchkeeper.web.access import PUBLIC
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
METHODS = ["GET", "POST"]  # HEAD is answered as GET by the web guard
READ_LIMIT = 10 * 1024 * 1024
"""The most of a ping's body read (the web guard's 1 MiB cap does not apply to pings); only the start is kept."""


async def _ping(request: Request, token: str, kind: PingKind, exit_code: int | None = None) -> PlainTextResponse:
    context: AppContext = request.app.state.context
    index: TokenIndex | None = getattr(request.app.state, "ping_tokens", None)
    if index is None:
        index = TokenIndex(context.settings.secret_key_value())
        request.app.state.ping_tokens = index
    check_id = await run_in_threadpool(index.find, context.db, token)
    if check_id is None:
        raise Problem(404, "Not found", "no heartbeat check has this ping URL")
    body = await _start_of_body(request) if request.method == "POST" else b""
    await run_in_threadpool(record_ping, context.db, check_id, context.clock.now(), kind, exit_code, body)
    return PlainTextResponse("OK\n")


async def _start_of_body(request: Request) -> bytes:
    """The first BODY_LIMIT bytes. The rest is read and dropped, so a client that sends its whole body before
    reading the answer (curl does) gets it rather than a reset connection; past READ_LIMIT reading stops,
    and the ping is recorded all the same."""
    kept, read = bytearray(), 0
    async for chunk in request.stream():
        if len(kept) < BODY_LIMIT:
            kept += chunk[: BODY_LIMIT - len(kept)]
        read += len(chunk)
        if read >= READ_LIMIT:
            break
    return bytes(kept)


@router.api_route("/ping/{token}", methods=METHODS)
async def success(request: Request, token: str) -> PlainTextResponse:
    return await _ping(request, token, "success")


@router.api_route("/ping/{token}/start", methods=METHODS)
async def start(request: Request, token: str) -> PlainTextResponse:
    return await _ping(request, token, "start")


@router.api_route("/ping/{token}/fail", methods=METHODS)
async def fail(request: Request, token: str) -> PlainTextResponse:
    return await _ping(request, token, "fail")


@router.api_route("/ping/{token}/{exit_code:int}", methods=METHODS)
async def exit_status(request: Request, token: str, exit_code: int) -> PlainTextResponse:
    if not 0 <= exit_code <= 255:
        raise Problem(400, "Bad request", "an exit code is a number from 0 to 255")
    return await _ping(request, token, "success" if exit_code == 0 else "fail", exit_code)

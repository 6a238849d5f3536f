"""The outermost layer of the web app: one log line per request, HEAD for every GET, a cap on request
bodies (but for heartbeat pings, whose handler keeps the start of a body of any length), JSON-only API writes,
and a problem document (logged once) for any error nobody handled: a 400 for a NUL character PostgreSQL refused,
a 500 for anything else."""

import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchkeeper.logs import get_logger

MAX_BODY_BYTES = 1024 * 1024
log = get_logger("watchkeeper.web")


NUL_REFUSED = "a value holds a NUL character (U+0000), which no text here can hold: remove it and send again"


class TooLarge(Exception):
    pass


def _nul_in_text(error: BaseException) -> bool:
    """Whether PostgreSQL's driver refused a NUL in a text parameter somewhere down the chain. Inputs are checked
    where they are read, so that the answer can name the field; this is the net under a check that was missed:
    the transaction has rolled back, nothing was written, and the sender's mistake is not a server error."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if "NUL (0x00)" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Guard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        state = {"status": 500, "started": False}
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def respond(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is None and _capped(scope) and b"content-length" not in dict(scope["headers"]):
                receive = await self._buffered(receive)
            if refusal is not None:
                await _problem(respond, *refusal)
            else:
                await self.app(scope, receive, respond)
        except TooLarge:
            await _problem(respond, 413, "Payload too large", f"the body is over {self.max_body} bytes")
        except Exception as error:
            if _nul_in_text(error):
                log.warning("a NUL character refused", path=_loggable(scope["path"]))
                if not state["started"]:
                    await _problem(respond, 400, "Bad request", NUL_REFUSED)
                return
            log.error("unhandled error", path=_loggable(scope["path"]), error_type=type(error).__name__, exc_info=error)
            if not state["started"]:
                await _problem(respond, 500, "Internal server error", "the error has been logged")
        finally:
            duration = round((time.perf_counter() - started) * 1000, 1)
            log.info(
                "request", method=method, path=_loggable(scope["path"]), status=state["status"], duration_ms=duration
            )

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_body and _capped(scope):
            return 413, "Payload too large", f"the body is over {self.max_body} bytes"
        writes = scope["method"] in ("POST", "PUT", "PATCH")
        has_body = length not in (b"", b"0") or b"transfer-encoding" in headers
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["path"].startswith("/api/") and writes and has_body and not _is_json(media):
            return 415, "Unsupported media type", "send the body as JSON, with Content-Type: application/json"
        return None

    async def _buffered(self, receive: Receive) -> Receive:
        """A body of unknown length (chunked) is read here, up to the cap, and handed on whole. (A declared
        length is checked before reading, and the server holds the client to it.)"""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if len(body) > self.max_body:
                raise TooLarge
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return replay


def _capped(scope: Scope) -> bool:
    """A job's log sent with its ping may be any length, and the ping must still count: the ping handler reads
    such a body as a stream, keeping its start and bounding how much it reads (web.pings)."""
    return not scope["path"].startswith("/ping/")


def _is_json(media: bytes) -> bool:
    return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))


async def _problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_CREDENTIAL_PATHS = (
    ("/ping/", "<token>"),
    ("/api/v1/integrations/alertmanager/", "<key>"),
    ("/api/v1/integrations/sentry/", "<key>"),
    ("/calendar/", "<token>"),
    ("/page/", "<token>"),
    ("/login/link/", "<token>"),
)


def _loggable(path: str) -> str:
    """The path for the log: a ping token is its check's only credential, and an integration key in a webhook
    URL is its integration's, a calendar feed's token opens its shifts, and a one-time sign-in link signs its
    account in, so none is ever written down."""
    for prefix, placeholder in _CREDENTIAL_PATHS:
        if path.startswith(prefix):
            rest = path[len(prefix) :].split("/", 1)
            return prefix + placeholder + (f"/{rest[1]}" if len(rest) > 1 else "")
    return path

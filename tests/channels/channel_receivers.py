"""Real local receivers for the channel tests: an aiohttp server that records every request and answers as
each test tells it (Slack's "ok", Teams' 202, PagerDuty's 202 JSON, errors, 429s, slow answers), and an SMTP
server (aiosmtpd) that keeps every message and can refuse recipients."""

import asyncio
import json
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

from aiohttp import web

T = TypeVar("T")


class Loop:
    """An event loop on its own thread, so a server keeps serving while a test sends to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    text: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    echo: bool = False
    """Answer with the request's path and Authorization header: a receiver that quotes what it got, secrets and
    all."""


class Receiver:
    """Answers each path with the answers queued for it, in turn, the last one again and again."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._answers: dict[str, list[Answer]] = {}
        self.port = 0

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *answers: Answer) -> None:
        self._answers[path] = list(answers)

    def json_answer(self, path: str, status: int, body: Any, **headers: str) -> None:
        self.answer(path, Answer(status, json.dumps(body), {"Content-Type": "application/json", **headers}))

    def at(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.path == path]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append(Recorded(request.method, request.path, dict(request.headers), body))
        queued = self._answers.get(request.path, [Answer()])
        answer = queued.pop(0) if len(queued) > 1 else queued[0]
        if answer.delay:
            await asyncio.sleep(answer.delay)
        text = answer.text
        if answer.echo:
            quote = f"got {request.raw_path} with {request.headers.get('Authorization', 'no authorization')}"
            # in the fields each service's errors use, so each channel's own reading of them meets it
            errors = [{"error": "BadRequestError", "message": quote}]
            text = json.dumps({"description": quote, "error": "EchoError", "message": quote, "errors": errors})
        return web.Response(status=answer.status, text=text, headers=answer.headers)

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = runner.addresses[0][1]
        return runner


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    """Recipient address -> the reply its RCPT gets, such as "550 5.1.1 no such user"."""
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

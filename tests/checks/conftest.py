"""Real local targets for the probes: an HTTP server with well-behaved and hostile endpoints, raw TCP servers
that misbehave, and TLS servers with certificates made by trustme (valid, expired, for another host)."""

import asyncio
import contextlib
import gc
import socket
import ssl
import struct
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
import trustme
from aiohttp import web

T = TypeVar("T")
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Loop:
    """An event loop on its own thread, so servers keep serving while a test runs probes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def close(self) -> None:
        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self.run(cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


async def _ok(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "database": {"healthy": True}, "count": 5}, headers={"X-Served-By": "t1"})


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="status page")


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.match_info["seconds"]))
    return web.Response(text="ok, slowly")


async def _drip(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    for _ in range(60):
        await response.write(b"x")
        await asyncio.sleep(1)
    return response


async def _endless(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    chunk = b"ok " * 20_000
    for _ in range(10_000):  # about 600 MB if anyone read it all
        await response.write(chunk)
    return response


async def _loop(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def _redirect(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/ok")


IN_FLIGHT = {"now": 0, "most": 0}


async def _counted(_request: web.Request) -> web.Response:
    """Slow, and counts how many requests it serves at once."""
    IN_FLIGHT["now"] += 1
    IN_FLIGHT["most"] = max(IN_FLIGHT["most"], IN_FLIGHT["now"])
    try:
        await asyncio.sleep(0.4)
    finally:
        IN_FLIGHT["now"] -= 1
    return web.Response(text="ok")


def _app() -> web.Application:
    app = web.Application()
    app.router.add_get("/counted/{n}", _counted)
    app.router.add_get("/ok", _ok)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/slow/{seconds}", _slow)
    app.router.add_get("/drip", _drip)
    app.router.add_get("/endless", _endless)
    app.router.add_get("/loop", _loop)
    app.router.add_get("/redirect", _redirect)
    return app


@dataclass
class Targets:
    http: str
    https: str
    https_expired: str
    https_wrong_host: str
    ca_bundle: str
    garbage: int
    reset: int
    silent: int
    banner: int
    closed: int
    in_flight: dict[str, int]
    """Requests the /counted/ endpoint is serving now, and the most at once."""


async def _site(app: web.Application, context: ssl.SSLContext | None = None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    return runner, runner.addresses[0][1]


@dataclass
class _RawServer:
    server: asyncio.Server
    port: int
    writers: set[asyncio.StreamWriter]

    async def close(self) -> None:
        """Run on the server's own loop (asyncio's objects are not for other threads), before its tasks are
        cancelled. A connection that came as the test ended is closed too: Python 3.11 makes an accepted
        connection's transport a turn of the loop after accepting it, and fails to (leaving the socket open) if
        the server has closed meanwhile; and its handler's task, cancelled before it starts, never closes it."""
        loop = asyncio.get_running_loop()
        for sock in self.server.sockets:
            loop.remove_reader(sock.fileno())  # no more connections, but those accepted reach `connected`
        for _ in range(3):
            await asyncio.sleep(0)
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()


async def _raw(handler: Handler) -> _RawServer:
    writers: set[asyncio.StreamWriter] = set()

    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        finally:
            writer.close()
            writers.discard(writer)

    def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Coroutine[Any, Any, None]:
        writers.add(writer)  # at once, not when the task starts: see _RawServer.close
        return closing(reader, writer)

    server = await asyncio.start_server(connected, "127.0.0.1", 0)
    return _RawServer(server, server.sockets[0].getsockname()[1], writers)


async def _garbage(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"THIS IS NOT HTTP\x00\xff\r\n\r\n")
    await writer.drain()
    writer.close()


async def _reset(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
    writer.transport.abort()


async def _silent(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(30)


async def _banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 smtp.test ready\r\n")
    await writer.drain()
    await reader.read(100)
    writer.close()


def _tls(ca: trustme.CA, *names: str, **validity: datetime) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names, **validity).configure_cert(context)
    return context


def _bound_not_listening() -> socket.socket:
    """A port that refuses connections and stays ours, so no other test's server can take it meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="session")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Targets]:
    loop = Loop()
    ca = trustme.CA()
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    past = datetime.now(UTC) - timedelta(days=30)
    expired = _tls(ca, "localhost", not_before=past, not_after=past + timedelta(days=1))
    refusing = _bound_not_listening()
    runners: list[web.AppRunner] = []
    servers: list[_RawServer] = []

    def site(context: ssl.SSLContext | None = None) -> int:
        runner, port = loop.run(_site(_app(), context))
        runners.append(runner)
        return port

    def raw(handler: Handler) -> int:
        server = loop.run(_raw(handler))
        servers.append(server)
        return server.port

    found = Targets(
        http=f"http://127.0.0.1:{site()}",
        https=f"https://localhost:{site(_tls(ca, 'localhost', '127.0.0.1'))}",
        https_expired=f"https://localhost:{site(expired)}",
        https_wrong_host=f"https://localhost:{site(_tls(ca, 'elsewhere.test'))}",
        ca_bundle=str(bundle),
        garbage=raw(_garbage),
        reset=raw(_reset),
        silent=raw(_silent),
        banner=raw(_banner),
        closed=refusing.getsockname()[1],
        in_flight=IN_FLIGHT,
    )
    yield found
    for runner in runners:
        loop.run(runner.cleanup())
    for server in servers:
        loop.run(server.close())
    loop.close()
    refusing.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], int]]:
    """Starts a TCP server on 127.0.0.1 whose handler misbehaves as a test asks; gives its port."""
    loop = Loop()
    servers: list[_RawServer] = []

    def start(handler: Handler) -> int:
        server = loop.run(_raw(handler))
        servers.append(server)
        return server.port

    yield start
    for server in servers:
        loop.run(server.close())
    loop.close()


@dataclass
class MuteTls:
    port: int
    ca_bundle: str


@pytest.fixture
def mute_tls(tmp_path: Path) -> Iterator[MuteTls]:
    """A TLS server that answers an HTTP request, if one comes, and then neither reads nor closes again: it never
    answers our close_notify, so it would hold a socket of ours for as long as we let it."""
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    context = _tls(ca, "localhost", "127.0.0.1")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    running = True

    def answer(conn: socket.socket) -> None:
        conn.settimeout(5)
        with contextlib.suppress(OSError):  # a client that went away is no concern of this server
            tls = context.wrap_socket(conn, server_side=True)
            held.append(tls)
            if tls.recv(4096):  # a request; or b"" for a close_notify, which gets no answer
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def serve() -> None:
        while running:
            with contextlib.suppress(TimeoutError):
                conn, _ = listener.accept()
                held.append(conn)
                threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield MuteTls(listener.getsockname()[1], str(bundle))
    running = False
    thread.join()
    listener.close()
    for sock in held:
        sock.close()


@pytest.fixture
def sockets_to() -> Callable[[int], list[str]]:
    """The sockets of this process still open to a port on 127.0.0.1, as text: the probes' own, since the
    servers' sockets on that port have it as their local port, not their peer's."""

    def find(port: int) -> list[str]:
        found = []
        for thing in gc.get_objects():
            if isinstance(thing, socket.socket) and thing.fileno() != -1:
                with contextlib.suppress(OSError):  # not connected
                    if thing.getpeername()[:2] == ("127.0.0.1", port):
                        found.append(repr(thing))
        return found

    return find


@pytest.fixture
def ipv6_closed_port() -> Iterator[int]:
    """A port on ::1 that refuses connections (bound, never listening)."""
    sock = socket.socket(socket.AF_INET6)
    sock.bind(("::1", 0))
    yield sock.getsockname()[1]
    sock.close()


# A small DNS responder on loopback, answering from a fixed zone: the DNS check's tests and the HTTP
# probe's name lookups ask it, never the machine's resolver.
ZONE = {
    ("cloud.example.test.", "A"): ["192.0.2.10", "192.0.2.11"],
    ("cloud.example.test.", "MX"): ["10 mail.example.test."],
    ("cloud.example.test.", "TXT"): ['"v=spf1 -all"'],
    ("www.example.test.", "CNAME"): ["cloud.example.test."],
    ("app.example.test.", "A"): ["127.0.0.1"],
}


def _answer(wire: bytes) -> bytes | None:
    query = dns.message.from_wire(wire)
    question = query.question[0]
    name, kind = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
    if name == "broken.example.test.":
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        return response.to_wire()
    if name == "silent.example.test.":
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if (name, kind) in ZONE:
        response.answer.append(dns.rrset.from_text_list(name, 60, "IN", kind, ZONE[(name, kind)]))
    elif not any(zone_name == name for zone_name, _ in ZONE):
        response.set_rcode(dns.rcode.NXDOMAIN)
    return response.to_wire()


@pytest.fixture(scope="session")
def responder() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    running = True

    def serve() -> None:
        while running:
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            reply = _answer(wire)
            if reply is not None:
                sock.sendto(reply, peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    running = False
    thread.join()
    sock.close()

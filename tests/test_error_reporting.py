"""Watchkeeper's own errors reach Sentry when SENTRY_DSN is set, with secrets masked: a real Sentry client in
its own process, sending to a local receiver that speaks Sentry's envelope endpoint."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SECRET = "s3cret-value-of-a-catalog-token-77"
SCRIPT = f"""
from watchkeeper import error_reporting
from watchkeeper.logs import configure_logging, get_logger

redactor = configure_logging("INFO", "json")
redactor.register({SECRET!r})
error_reporting.start(__import__("os").environ["SENTRY_DSN"], redactor, "test")
log = get_logger("watchkeeper.engine")


def reach(token: str) -> None:
    raise RuntimeError("could not reach https://example.invalid/?key=" + token)


try:
    reach({SECRET!r})
except RuntimeError as error:
    log.error("duty failed", duty="alerts", error=str(error), exc_info=error)
error_reporting.stop()
"""


class Receiver(ThreadingHTTPServer):
    bodies: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        self.server.bodies.append(raw.decode("utf-8", "replace") + f"\n{self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": "0" * 32}).encode())

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(("127.0.0.1", 0), _Handler)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_logged_error_reaches_sentry_without_the_secret(receiver: Receiver) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHKEEPER_", "SENTRY_"))}
    environment["SENTRY_DSN"] = f"http://publickey@127.0.0.1:{receiver.server_address[1]}/1"

    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=environment, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 0, finished.stderr
    sent = "\n".join(receiver.bodies)
    assert "/api/1/envelope/" in sent
    assert "duty failed" in sent
    assert "RuntimeError" in sent
    assert SECRET not in sent
    assert SECRET not in finished.stderr, "and not in the log either"

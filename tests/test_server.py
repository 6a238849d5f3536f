"""The server as a process: start, reload on SIGHUP, keep the old catalog on a bad edit, stop on SIGTERM.
Runs on SQLite and on PostgreSQL, talking HTTP to a real listening socket."""

import contextlib
import json
import os
import re
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx2 as httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from watchkeeper.store import Database
from watchkeeper.store import tables as t

KEY = "test-secret-key-that-is-long-enough-and-random-4f8a1c"


class Process:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "watchkeeper", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.logs: list[dict[str, object]] = []

    def wait_for_log(self, event: str, timeout: float = 30) -> dict[str, object]:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError(f"process ended before logging {event!r}: {self.proc.wait()}")
            try:
                entry = json.loads(line)
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            self.logs.append(entry)
            if entry.get("event") == event:
                return entry
        raise AssertionError(f"no {event!r} log within {timeout}s")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def rest(self) -> str:
        stream: IO[str] | None = self.proc.stderr
        return stream.read() if stream else ""


def _environment(database_url: str, secrets: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    env.update(secrets)
    # The example catalog's checks point at hosts on the internet, which tests must never probe.
    env.update(
        {"WATCHKEEPER_DATABASE_URL": database_url, "WATCHKEEPER_SECRET_KEY": KEY, "WATCHKEEPER_RUN_CHECKS": "false"}
    )
    return env


@pytest.fixture
def catalog_copy(tmp_path: Path, example_catalog: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(example_catalog, target)
    return target


@pytest.fixture
def server(database_url: str, catalog_copy: Path, example_secrets: dict[str, str]) -> Iterator[tuple[Process, str]]:
    process = Process(
        ["serve", "--catalog", str(catalog_copy), "--port", "0"], _environment(database_url, example_secrets)
    )
    try:
        url = str(process.wait_for_log("serving")["url"])
        yield process, url
    finally:
        process.close()


def _wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _command(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "watchkeeper", *args, "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def _admin_token(database_url: str, secrets: dict[str, str]) -> dict[str, str]:
    """The header of an API token made as a newcomer makes their first one: from the command line."""
    env = _environment(database_url, secrets)
    _command(env, "users", "create", "--email", "ops@example.org", "--role", "platform-admin", "--link")
    made = _command(
        env,
        "tokens",
        "create",
        "--name",
        "tests",
        "--email",
        "ops@example.org",
        "--scope",
        "read",
        "--scope",
        "metrics",
    )
    return {"Authorization": f"Bearer {made['token']}"}


def test_sighup_reloads_and_a_broken_file_leaves_the_old_catalog_serving(
    server, catalog_copy, database_url, example_secrets
):
    process, url = server
    with httpx.Client(headers=_admin_token(database_url, example_secrets)) as api:
        _reloads_on_sighup(process, url, catalog_copy, api)


def _reloads_on_sighup(process: Process, url: str, catalog_copy: Path, api: httpx.Client) -> None:
    notify = catalog_copy / "teams" / "notify.yaml"
    assert api.get(url + "api/v1/services/notify-api").json()["name"] == "Notify API"

    notify.write_text(notify.read_text().replace("name: Notify API", "name: Notify API v2"))
    process.proc.send_signal(signal.SIGHUP)
    _wait_until(lambda: api.get(url + "api/v1/services/notify-api").json()["name"] == "Notify API v2")

    notify.write_text(notify.read_text().replace("port: 465", "port: smtps"))
    process.proc.send_signal(signal.SIGHUP)
    _wait_until(lambda: api.get(url + "api/v1/catalog").json()["failed"] is not None)

    assert api.get(url + "api/v1/services/notify-api").json()["name"] == "Notify API v2"
    page = api.get(url).text
    assert 'id="catalog-banner"' in page
    assert "notify.yaml" in page
    assert "watchkeeper_catalog_last_reload_successful 0.0" in api.get(url + "metrics").text
    error = process.wait_for_log("catalog not applied; the catalog in force is unchanged")
    assert any("notify.yaml" in problem for problem in error["problems"])


def test_sigterm_stops_cleanly_and_leaves_the_process_register(server, database_url):
    process, url = server
    assert httpx.get(url + "readyz").status_code == 200
    db = Database(database_url)
    with db.reading() as connection:
        assert connection.execute(select(t.processes.c.role)).scalars().all() == ["all"]

    code = process.stop()

    assert code == 0
    assert '"stopped cleanly"' in process.rest()
    with db.reading() as connection:
        assert connection.execute(select(t.processes)).all() == []
    db.dispose()


def test_the_engine_role_runs_without_a_web_listener(tmp_path, example_secrets):
    url = f"sqlite:///{tmp_path}/wk.db"
    env = {**_environment(url, example_secrets), "WATCHKEEPER_HEARTBEAT_INTERVAL": "0.2"}
    process = Process(["serve", "--role", "engine"], env)
    try:
        process.wait_for_log("engine started")
        db = Database(url)
        with db.reading() as connection:
            first = connection.execute(select(t.processes.c.role, t.processes.c.seen_at)).one()
        time.sleep(0.6)
        with db.reading() as connection:
            later = connection.execute(select(t.processes.c.seen_at)).scalar_one()
        db.dispose()
        assert first.role == "engine"
        assert later > first.seen_at  # the heartbeat duty runs
        assert not any(entry.get("event") == "serving" for entry in process.logs)
        assert process.stop() == 0
    finally:
        process.close()


def test_a_port_in_use_is_a_clear_error(tmp_path, example_secrets):
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = subprocess.run(
            [sys.executable, "-m", "watchkeeper", "serve", "--port", str(port)],
            env=_environment(f"sqlite:///{tmp_path}/wk.db", example_secrets),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        taken.close()
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


@contextlib.contextmanager
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`watchkeeper demo --port 0` in `tmp_path`, and the URL it prints; stopped with Ctrl+C at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHKEEPER_")}
    with subprocess.Popen(
        [sys.executable, "-m", "watchkeeper", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=tmp_path,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = ""
            while "demo is running" not in line:
                line = proc.stdout.readline()
                assert line, "the demo ended before printing its URL"
            yield proc, line.split("running: ", 1)[1].strip()
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=30)


def test_the_demo_needs_no_configuration(tmp_path):
    with demo(tmp_path) as (proc, url):
        assert "Home" in httpx.get(url, timeout=10).text  # the visitor lands on the home page, signed in
        page = httpx.get(url + "catalogue", timeout=10).text
        assert "Shop frontend" in page
        assert "Demo PaaS" in page
        assert httpx.get(url + "readyz", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the working directory


def test_a_second_sigterm_stops_at_once_even_with_a_slow_client(server):
    import socket

    process, url = server
    host, port = url.removeprefix("http://").rstrip("/").split(":")
    slow = socket.create_connection((host, int(port)))
    slow.sendall(
        b"POST /api/v1/services HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    time.sleep(0.3)
    try:
        process.proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert process.proc.poll() is None  # still waiting for the open request, as a graceful stop should
        process.proc.send_signal(signal.SIGTERM)
        assert process.proc.wait(timeout=5) == 0
    finally:
        slow.close()


def test_the_demo_runs_its_checks_and_exports_their_figures(tmp_path):
    with demo(tmp_path) as (_proc, url):
        # The shop's checks run every 15 s, each at its own phase: within 35 s each has run twice.
        down = 'watchkeeper_check_up{check="shop-payments-api"} 0.0'
        up = 'watchkeeper_check_up{check="shop-frontend-home"} 1.0'
        _wait_until(lambda: all(m in httpx.get(url + "metrics").text for m in (down, up)), timeout=40)
        metrics = httpx.get(url + "metrics").text
        assert 'watchkeeper_check_runs_total{outcome="fail",type="http"}' in metrics
        assert "watchkeeper_schedule_lag_seconds_bucket" in metrics
        page = httpx.get(url + "catalogue").text
        assert 'data-check="shop-frontend-home" data-status="up"' in page
        assert 'data-check="shop-payments-api" data-status="down"' in page


def test_the_demo_pages_the_person_on_call_and_their_link_stops_the_escalation(tmp_path):
    with demo(tmp_path) as (_proc, url):
        # The failing payments check is confirmed DOWN at once; its group waits 10 s, then the shop's policy pages.
        _wait_until(lambda: 'data-testid="page-link"' in httpx.get(url + "inbox").text, timeout=60)
        inbox = httpx.get(url + "inbox").text
        person = re.search(r"person:(robin|kit)/inbox", inbox)  # the shop's weekly rota: whoever has this week
        link = re.search(r'href="(http://[^"]+/page/[0-9]+-[0-9a-f]{32})"', inbox)
        assert person is not None
        assert link is not None
        shown = httpx.get(link[1], timeout=10)
        assert shown.status_code == 200
        assert 'value="acknowledge"' in shown.text, "opening the link acknowledges nothing by itself"
        done = httpx.post(link[1], data={"action": "acknowledge"}, headers={"Sec-Fetch-Site": "same-origin"})
        assert "escalation has stopped" in done.text
        alerts = httpx.get(url + "api/v1/alerts").json()["items"]
        [paged] = [a for a in alerts if a["acknowledged_by"] == f"{person[1]} (from a page link)"]
        assert paged["status"] == "acknowledged"

        def stopped() -> bool:
            events = httpx.get(url + f"api/v1/alerts/{paged['id']}").json()["events"]
            return any(e["message"].startswith(f"escalation stopped: acknowledged by {person[1]}") for e in events)

        _wait_until(stopped, timeout=10)


# --- web and engine as separate processes: each engine serves its own figures --------------------------------


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_split_engine_serves_its_figures_on_its_own_address(database_url, tmp_path):
    target = socketserver.ThreadingTCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    target.daemon_threads = True
    threading.Thread(target=target.serve_forever, daemon=True).start()
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "teams:\n  - {id: t, name: T}\nservices:\n  - id: s\n    name: S\n    owner: t\n    checks:\n"
        f"      - {{id: local, type: tcp, host: 127.0.0.1, port: {target.server_address[1]},"
        " interval: 1s, timeout: 1s}\n"
    )
    env = {
        **_environment(database_url, {}),
        "WATCHKEEPER_RUN_CHECKS": "true",  # the only target is on loopback
        "WATCHKEEPER_PROBE_PROCESSES": "2",
        "WATCHKEEPER_ENGINE_METRICS_ADDRESS": "127.0.0.1:0",
    }
    engine = Process(["serve", "--role", "engine", "--catalog", str(catalog)], env)
    web = None
    try:
        engine_url = str(engine.wait_for_log("serving engine metrics")["url"])
        web = Process(["serve", "--role", "web", "--port", "0"], env)
        web_url = str(web.wait_for_log("serving")["url"])
        up = ("watchkeeper_check_up", (("check", "local"),))
        passed = ("watchkeeper_check_runs_total", (("outcome", "pass"), ("type", "tcp")))

        def ran_twice() -> bool:
            scraped = _samples(httpx.get(engine_url).text)
            return scraped.get(up) == 1.0 and scraped.get(passed, 0) >= 2

        _wait_until(ran_twice, timeout=30)
        from_engine = _samples(httpx.get(engine_url).text)
        scrape = _admin_token(database_url, {})
        from_web = _samples(httpx.get(web_url + "metrics", headers=scrape).text)
        elsewhere = httpx.get(engine_url.removesuffix("metrics") + "api/v1/catalog")

        assert from_engine[("watchkeeper_schedule_lag_seconds_count", ())] >= 2
        assert ("watchkeeper_result_queue_depth", ()) in from_engine
        assert from_engine[("watchkeeper_engine_lease_held", (("lease", "checks"),))] == 1.0
        assert ("watchkeeper_check_response_seconds", (("check", "local"),)) in from_engine
        assert from_engine[("watchkeeper_catalog_objects", (("kind", "checks"),))] == 1  # every process: the catalog
        assert elsewhere.status_code == 404  # the engine's listener serves /metrics and nothing else
        assert from_web[("watchkeeper_catalog_objects", (("kind", "checks"),))] == 1
        assert not [name for name, _labels in from_web if name.startswith(("watchkeeper_check_", "watchkeeper_sched"))]
        assert web.stop() == 0
        assert engine.stop() == 0
    finally:
        engine.close()
        if web is not None:
            web.close()
        target.shutdown()
        target.server_close()


def test_an_engine_metrics_address_in_use_is_a_clear_error(tmp_path, example_secrets):
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    env = {**_environment(f"sqlite:///{tmp_path}/wk.db", example_secrets)}
    env["WATCHKEEPER_ENGINE_METRICS_ADDRESS"] = f"127.0.0.1:{port}"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "watchkeeper", "serve", "--role", "engine"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        taken.close()
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr

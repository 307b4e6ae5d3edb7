"""Metrics across workers: a real gunicorn with 2 workers (and an `app.py worker` sending the codes), all in
prometheus_client's multiprocess mode, serves a scripted recovery mix over HTTP; /metrics is then scraped and
every count compared exactly with what was done. The chat request counter, summed over the workers, equals
the requests sent, and the access log shows both workers served some of them (so the sum is what is tested).

The mix: a reset by email code completed on the reset page, a wrong code, and a hand-off."""

from __future__ import annotations

import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from core.settings import PROJECT_ROOT
from core.storage.db import Database
from core.storage.models import OutboxMessage
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support import json_request
from tests.support.processes import stop_process_group, wait_until_ready
from tests.support.scale_out import _environment, _free_port, _gunicorn_missing

pytestmark = [pytest.mark.slow, pytest.mark.skipif(_gunicorn_missing(), reason="gunicorn is not installed")]

NEW_PASSWORD = "correct horse battery staple 42"
CONCURRENT_POLLS = 24  # at once, so both sync workers must take some


class Site:
    """The running processes, and every chat API request the script sent, by endpoint."""

    def __init__(self, port: int, access_log: Path) -> None:
        self.port = port
        self.access_log = access_log
        self.sent: Counter[str] = Counter()

    def call(self, endpoint: str, method: str, path: str, body: dict[str, Any] | None, token: str | None) -> Any:
        self.sent[endpoint] += 1
        status, answer = json_request(self.port, method, path, body, token=token)
        assert status in (200, 201), (method, path, status, answer)
        return answer

    def chat_requests_logged(self) -> list[str]:
        """The worker pid of each chat API request in the access log (a line is written just after its
        response, so the last ones may take a moment)."""
        deadline = time.monotonic() + 10
        while True:
            lines = [line.split() for line in self.access_log.read_text().splitlines()]
            pids = [pid for pid, path in lines if path.startswith("/api/chat/")]
            if len(pids) >= sum(self.sent.values()) or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)

    def chat(self) -> str:
        return str(self.call("session", "POST", "/api/chat/sessions", {}, None)["session_token"])

    def say(self, token: str, text: str) -> list[dict[str, Any]]:
        return list(self.call("message", "POST", "/api/chat/messages", {"text": text}, token)["messages"])

    def poll(self, token: str) -> None:
        self.call("poll", "GET", "/api/chat/messages?after=0", None, token)


@pytest.fixture
def site(make_core: CoreFactory, database: Database, tmp_path: Path) -> Iterator[Site]:
    core = make_core()
    assert core.settings.secret_key is not None
    add_employee(core, "E1001")
    add_employee(core, "E1002")
    port = _free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = _environment(database.url, f"http://127.0.0.1:{port}") | {
        "RESETDESK_SECRET_KEY": core.settings.secret_key.get_secret_value(),  # the employees were added with it
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RESETDESK_CHAT_POLLS_PER_MINUTE": "1000",
        "RESETDESK_DELIVERY_POLL_SECONDS": "0.1",
    }
    log, access_log = tmp_path / "gunicorn.log", tmp_path / "access.log"
    command = [
        sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
        "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(U)s", "app:create_app()",
    ]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    with (tmp_path / "worker.log").open("wb") as sink:
        sender = subprocess.Popen(
            [sys.executable, "app.py", "worker"], cwd=PROJECT_ROOT, env=env,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_ready(server, f"http://127.0.0.1:{port}", log)
        yield Site(port, access_log)
    finally:
        stop_process_group(server)
        stop_process_group(sender)
    assert "Traceback" not in log.read_text() + (tmp_path / "worker.log").read_text()


def read_code(database: Database, email: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with database.transaction() as session:
            body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == email))
        if body is not None:
            match = re.search(r"\b(\d{6})\b", body)
            assert match is not None
            return match.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no code was sent to {email}")


def reset_on_the_page(port: int, url: str) -> None:
    """Open the link, then submit the form, as a browser does (cookies kept, the CSRF field sent back)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=30) as page:  # 303 to the form, with the reset session cookie
        form = page.read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None, form[:500]
    fields = {"csrf_token": csrf.group(1), "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    data = urllib.parse.urlencode(fields).encode()
    with opener.open(f"http://127.0.0.1:{port}/reset/set-password", data=data, timeout=60) as done:
        assert done.status == 200


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def test_two_gunicorn_workers_count_a_recovery_mix_exactly(site: Site, database: Database) -> None:
    # 1. A reset by email code, completed on the reset page.
    first = site.chat()
    site.say(first, "reset")
    site.say(first, "E1001")
    site.say(first, "email")
    replies = site.say(first, read_code(database, "e1001@example.com"))
    [link] = [reply["link"]["url"] for reply in replies if reply["link"]]
    reset_on_the_page(site.port, link)
    # 2. A wrong code.
    second = site.chat()
    site.say(second, "reset")
    site.say(second, "E1002")
    site.say(second, "email")
    read_code(database, "e1002@example.com")
    site.say(second, "000000")
    # 3. A hand-off.
    third = site.chat()
    site.say(third, "agent")
    # Polls at once, so that both workers serve requests.
    with ThreadPoolExecutor(max_workers=CONCURRENT_POLLS) as pool:
        list(pool.map(site.poll, [first] * CONCURRENT_POLLS))

    served = site.chat_requests_logged()
    assert len(set(served)) == 2, "both workers should have served chat requests"

    samples = [scrape(site.port) for _ in range(3)]  # whichever worker answers, the same sums
    assert samples[0] == samples[1] == samples[2]
    got = samples[-1]

    def value(name: str, **labels: str) -> float:
        return got.get((name, frozenset(labels.items())), 0.0)

    for endpoint in ("session", "message", "poll"):
        assert value("resetdesk_chat_request_seconds_count", endpoint=endpoint) == site.sent[endpoint], endpoint
    total = sum(value("resetdesk_chat_request_seconds_count", endpoint=e) for e in ("session", "message", "poll"))
    assert total == sum(site.sent.values()) == len(served)

    assert value("resetdesk_conversations_started_total", channel="web") == 2
    assert value("resetdesk_verifications_total", method="email", outcome="passed") == 1
    assert value("resetdesk_verifications_total", method="email", outcome="failed") == 1
    assert value("resetdesk_code_deliveries_total", provider="email", outcome="sent") == 2  # the worker's
    assert value("resetdesk_provider_seconds_count", provider="email") == 2
    assert value("resetdesk_handoffs_total", reason="asked") == 1
    completed = {"change": "password_reset", "channel": "web", "method": "email"}
    assert value("resetdesk_recoveries_completed_total", **completed) == 1
    assert value("resetdesk_time_to_reset_seconds_count") == 1
    assert value("resetdesk_locks_total", method="email") == 0
    assert value("resetdesk_directory_seconds_count", operation="set_password", outcome="ok") == 1
    assert value("resetdesk_delivery_queue_depth", provider="email", status="queued") == 0

"""deploy/gunicorn.conf.py as production runs it: gunicorn started with that file (its workers, bind and logs
from the environment, as deploy/resetdesk-web.service sets them) and `app.py worker` beside it, on SQLite and
PostgreSQL. A person completes a recovery over HTTP (chat, the emailed code from the outbox, the reset page,
a new password); the metrics folder was created and emptied at start; the access log holds no reset token,
no query string and no Referer, whatever the request carried."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support.live_gunicorn import LiveGunicorn, free_port
from tests.support.processes import wait_until_ready
from tests.support.web_client import WebClient

CONF = PROJECT_ROOT / "deploy" / "gunicorn.conf.py"
NEW_PASSWORD = "harbour copper 2231 whistle plume"
MARKER = "QueryMarker7781"  # put in a query string and a Referer: must not be logged


@dataclass
class Served(LiveGunicorn):
    metrics: Path = Path()  # the PROMETHEUS_MULTIPROC_DIR the conf was given


@pytest.fixture
def served(make_core: CoreFactory, tmp_path: Path) -> Iterator[Served]:
    core = make_core()
    add_employee(core)
    port, logs, metrics = free_port(), tmp_path / "logs", tmp_path / "metrics"
    logs.mkdir()
    metrics.mkdir()
    gone = subprocess.Popen(["true"])  # a pid that is certainly not running any more
    gone.wait()
    (metrics / "counter_gone.txt").write_text(str(gone.pid))
    (metrics / f"counter_{gone.pid}.db").write_bytes(b"a previous run's counts")
    (metrics / f"counter_{os.getpid()}.db").write_bytes(b"a live process's counts (e.g. the delivery worker)")
    secret = core.settings.secret_key
    assert secret is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESETDESK_", "GUNICORN_", "WEB_CONC"))}
    env.update(
        RESETDESK_DATABASE_URL=core.settings.database_url, RESETDESK_SECRET_KEY=secret.get_secret_value(),
        RESETDESK_PUBLIC_URL=f"http://127.0.0.1:{port}", RESETDESK_DEMO="false", PYTHONUNBUFFERED="1",
        GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(metrics),
        GUNICORN_ACCESS_LOG=str(logs / "access.log"), GUNICORN_ERROR_LOG=str(logs / "error.log"),
    )  # fmt: skip
    # Started from another folder, as systemd may: the conf finds the project itself.
    web = [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--chdir", str(PROJECT_ROOT), "app:create_app()"]
    worker = [sys.executable, str(PROJECT_ROOT / "app.py"), "worker"]
    processes = []
    for name, argv in (("stdout.log", web), ("worker.log", worker)):
        with (logs / name).open("wb") as sink:
            processes.append(subprocess.Popen(
                argv, cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            ))  # fmt: skip
    server = Served(f"http://127.0.0.1:{port}", core, logs, processes, metrics)
    try:
        wait_until_ready(server.processes[0], server.url, server.logs / "stdout.log")
        yield server
    finally:
        server.stop()


def test_gunicorn_with_the_deploy_conf_serves_a_recovery_and_logs_no_token(served: Served) -> None:
    gone = (served.metrics / "counter_gone.txt").read_text()
    assert not (served.metrics / f"counter_{gone}.db").exists()  # a dead process's counts removed at start
    assert (served.metrics / f"counter_{os.getpid()}.db").exists()  # a live process's (the worker's) kept
    person = WebClient(served.url)
    assert person.chat("POST", "/api/chat/sessions", {}).status == 201
    for text in ("I forgot my password", "E1001", "email"):
        person.say(text)
    link = person.say(served.sent_code())[-1]["link"]
    assert isinstance(link, dict), "the code was not accepted"
    url = str(link["url"])
    token = url.rsplit("/", 1)[1]
    done = person.set_password(url, NEW_PASSWORD)
    assert done.status == 200 and "password" in done.text.lower(), done.text[:500]
    account = served.core.directory.find("E1001")
    assert account is not None and served.core.directory.verify_password(account.id, NEW_PASSWORD)
    # Requests carrying secrets where access logs usually print them: a query string and a Referer.
    stray = WebClient(served.url).request(
        "GET", f"/healthz?token={MARKER}", headers={"Referer": f"{served.url}/reset/{token}?{MARKER}"}
    )
    assert stray.status == 200
    served.stop()

    access = (served.logs / "access.log").read_text()
    assert access.count("/api/chat/messages") >= 4 and "GET /healthz HTTP/1.1" in access  # the log was on
    assert 'GET /reset/[redacted] HTTP/1.1" 303' in access and "/reset/set-password" in access
    for name in ("access.log", "error.log", "stdout.log"):
        text = (served.logs / name).read_text(errors="replace")
        assert token not in text and token[:12] not in text and MARKER not in text, name
    assert (served.logs / "error.log").read_text().count("Booting worker") == 2  # WEB_CONCURRENCY

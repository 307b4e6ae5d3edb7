"""`python app.py worker`: the delivery worker as its own process (production), on a SQLite file shared with
the test, which plays the web app that queues codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import Core, build_core
from core.types import Method, Requester
from tests.core.conftest import add_employee
from tests.support import make_settings

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = make_settings().secret_key.get_secret_value()  # type: ignore[union-attr]


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Core]:
    core = build_core(make_settings(database_url=f"sqlite:///{tmp_path / 'shared.db'}"))
    add_employee(core)
    yield core
    core.database.dispose()


def environment(core: Core) -> dict[str, str]:
    return {**os.environ, "RESETDESK_DATABASE_URL": core.database.url, "RESETDESK_SECRET_KEY": SECRET_KEY,
            "RESETDESK_DELIVERY_POLL_SECONDS": "0.1"}  # fmt: skip


def queue_a_code(core: Core) -> None:
    handle = core.recovery.start("E1001", Requester("web", "cli-test"))
    assert core.recovery.send_code(handle, Method.EMAIL).sent


def outbox_bodies(core: Core) -> list[str]:
    with core.database.engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT body FROM outbox_messages").scalars())


def test_worker_once_sends_what_is_queued_and_exits(shared: Core) -> None:
    queue_a_code(shared)
    assert outbox_bodies(shared) == []  # queued, not sent: the chat did not wait
    done = subprocess.run([sys.executable, "app.py", "worker", "--once"], cwd=ROOT, env=environment(shared),
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    [body] = outbox_bodies(shared)
    assert "Your ResetDesk verification code is" in body
    assert shared.recovery.deliveries.waiting() == 0


def test_worker_sends_as_codes_arrive_and_stops_cleanly_on_sigterm(shared: Core, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        worker = subprocess.Popen([sys.executable, "app.py", "worker"], cwd=ROOT, env=environment(shared),
                                  stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        queue_a_code(shared)
        deadline = time.monotonic() + 30
        while not outbox_bodies(shared) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(outbox_bodies(shared)) == 1, log.read_text()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    output = log.read_text()
    assert "delivery worker stopped" in output and "Traceback" not in output, output
    assert "Your ResetDesk verification code" not in output  # the worker never logs what it sends

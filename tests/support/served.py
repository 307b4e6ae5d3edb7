"""`python app.py run` as a real process on a SQLite file the test shares, and a web chat that walks one
recovery to its reset link over HTTP (tests/test_cli_run.py, tests/bot/test_terminal.py)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import Core
from tests.support.processes import stop_process_group
from tests.support.web_client import WebClient

__all__ = ["Served", "free_port", "link_by_web_chat", "served_app"]

ROOT = Path(__file__).resolve().parents[2]
_ANNOUNCED = re.compile(r"ResetDesk on (http://\S+)")


def free_port() -> int:
    """A port free now (the OS's pick, released at once: good enough for one test on loopback)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    log: Path
    url: str  # what `run` announced it serves

    def output(self) -> str:
        return self.log.read_text()


def environment(core: Core, **env: str) -> dict[str, str]:
    """The variables a child process needs to share `core`'s database and key (nothing else from RESETDESK_*)."""
    key = core.settings.secret_key
    assert key is not None
    return {**os.environ, "RESETDESK_DATABASE_URL": core.database.url, "RESETDESK_SECRET_KEY": key.get_secret_value(),
            "RESETDESK_DELIVERY_POLL_SECONDS": "0.1", "PYTHONUNBUFFERED": "1", **env}  # fmt: skip


@contextmanager
def served_app(core: Core, log: Path, *args: str, **env: str) -> Iterator[Served]:
    """`python app.py run <args>` in its own process group, yielded once it answers /readyz; stopped after."""
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "app.py", "run", *args], cwd=ROOT, env=environment(core, **env),
                                   stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        yield Served(process, log, _wait_until_ready(process, log))
    finally:
        stop_process_group(process)


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"app.py run exited: {log.read_text()}"
        announced = _ANNOUNCED.search(log.read_text())
        if announced and _ready(announced.group(1)):
            return announced.group(1)
        time.sleep(0.1)
    raise AssertionError(f"app.py run did not get ready: {log.read_text()}")


def _ready(url: str) -> bool:
    try:
        return WebClient(url, timeout=5).request("GET", "/readyz").status == 200
    except OSError:  # announced a moment before it listens
        return False


def link_by_web_chat(core: Core, url: str, identifier: str = "E1001") -> str:
    """A recovery by email code in the web chat served at `url`; returns the reset link the chat gave."""
    person = WebClient(url)
    assert person.chat("POST", "/api/chat/sessions", {}).status in (200, 201)

    def say(text: str) -> list[dict[str, Any]]:
        answer = person.chat("POST", "/api/chat/messages", {"text": text})
        assert answer.status == 200, (answer.status, answer.text[:300])
        return list(answer.json()["messages"])

    for text in ("I forgot my password", identifier, "email"):
        say(text)
    links = [m["link"]["url"] for m in say(_emailed_code(core)) if m.get("link")]
    assert links, "the chat gave no reset link"
    return str(links[-1])


def _emailed_code(core: Core) -> str:
    """The newest code in the outbox, once the served app's delivery worker has sent it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with core.database.engine.connect() as connection:
            body = connection.exec_driver_sql(
                "SELECT body FROM outbox_messages WHERE kind = 'email' ORDER BY id DESC LIMIT 1"
            ).scalar()
        if body and (code := re.search(r"\b(\d{6,10})\b", body)):
            return code.group(1)
        time.sleep(0.1)
    raise AssertionError("no code reached the outbox")

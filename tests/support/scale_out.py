"""What tests/reliability/test_scale_out.py runs: gunicorn with 4 workers on PostgreSQL and 2 `app.py worker`
processes (the `server` fixture), and one person's scripted web-chat conversation against it (`Person`)."""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.directory.importer import COLUMNS
from core.settings import PROJECT_ROOT
from core.storage.db import Database
from core.storage.models import OutboxMessage
from core.types import Method
from dialogs.prompts import CODE_SENT, TEXT
from tests.support import json_request
from tests.support.processes import stop_process_group, wait_until_ready

CONVERSATIONS = 200
WORKERS = 4
PER_ADDRESS = 10  # conversations sharing one client address
SECRET_KEY = "scale-out-test-key-" + "x" * 32
HTTP_TIMEOUT = 60.0
_CODE = re.compile(r"\b(\d{6})\b")
CODE_SENT_EMAIL = CODE_SENT[Method.EMAIL].split("{digits}")[0]  # "If that account has an email ..."


def _gunicorn_missing() -> bool:
    return importlib.util.find_spec("gunicorn") is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, public_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESETDESK_")}
    env.update(
        RESETDESK_DATABASE_URL=database_url,
        RESETDESK_SECRET_KEY=SECRET_KEY,
        RESETDESK_PUBLIC_URL=public_url,
        RESETDESK_EMAIL_BACKEND="outbox",
        RESETDESK_SMS_BACKEND="outbox",
        RESETDESK_DEMO="false",
        PYTHONUNBUFFERED="1",
    )
    # argon2 keeps its production cost (lower is refused); no step of this conversation hashes with it.
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    access_log: Path


@pytest.fixture
def server(database: Database, tmp_path: Path) -> Iterator[Server]:
    """200 employees imported with `app.py import-employees`, then gunicorn with 4 workers on PostgreSQL."""
    port = _free_port()
    env = _environment(database.url, f"http://127.0.0.1:{port}")
    staff = tmp_path / "staff.csv"
    with staff.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)  # no password or answers: none of these steps needs them
        for n in range(CONVERSATIONS):
            row = [f"S{n:04d}", f"scale.user{n}", f"Scale User {n}", f"s{n:04d}@example.com"]
            writer.writerow(row + [""] * (len(COLUMNS) - len(row)))
    imported = subprocess.run(
        [sys.executable, "app.py", "import-employees", str(staff)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr + imported.stdout

    log, access_log = tmp_path / "gunicorn.log", tmp_path / "access.log"
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "60",
        "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s", "app:create_app()",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    quick = env | {"RESETDESK_DELIVERY_POLL_SECONDS": "0.1"}
    senders = []  # production's delivery workers: separate processes claiming jobs with SKIP LOCKED
    for n in range(2):
        with (tmp_path / f"worker{n}.log").open("wb") as sink:
            senders.append(subprocess.Popen(
                [sys.executable, "app.py", "worker"], cwd=PROJECT_ROOT, env=quick,
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            ))  # fmt: skip
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}", log)
        yield Server(process, port, log, access_log)
    finally:
        stop_process_group(process)
        for sender in senders:  # SIGTERM: the job in hand is finished, then the worker exits cleanly
            sender.send_signal(signal.SIGTERM)
            assert sender.wait(timeout=20) == 0
            stop_process_group(sender)
        assert all("Traceback" not in (tmp_path / f"worker{n}.log").read_text() for n in range(2))


# -- one person --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    number: int
    token: str = ""
    code: str = ""
    link: str = ""
    problems: list[str] = field(default_factory=list)
    bot_said: list[tuple[str, bool]] = field(default_factory=list)  # every bot reply: text, had a link


class Person:
    def __init__(self, number: int, port: int, database: Database, start: threading.Barrier) -> None:
        self.outcome = Outcome(number)
        self.address = f"127.0.0.{2 + number // PER_ADDRESS}"
        self.port = port
        self.database = database
        self.start = start
        self.employee = f"S{number:04d}"
        self.email = f"s{number:04d}@example.com"

    def run(self) -> Outcome:
        self.start.wait()
        try:
            self._converse()
        except Exception as exc:  # every problem is reported with the conversation it happened in
            self.outcome.problems.append(f"{type(exc).__name__}: {exc}")
        return self.outcome

    def _call(self, method: str, path: str, body: dict[str, Any] | None, status: int) -> dict[str, Any]:
        got, answer = json_request(
            self.port, method, path, body, source=self.address, timeout=HTTP_TIMEOUT, token=self.outcome.token or None
        )
        if got != status:
            raise AssertionError(f"{method} {path} -> {got} {answer}")
        return answer

    def _say(self, text: str) -> list[dict[str, Any]]:
        answer = self._call("POST", "/api/chat/messages", {"text": text}, 200)
        return self._keep(answer["messages"])

    def _keep(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.outcome.bot_said += [(m["text"], m["link"] is not None) for m in messages]
        return messages

    def _expect(self, step: str, messages: list[dict[str, Any]], wanted: str, *, link: bool = False) -> None:
        texts = [m["text"] for m in messages]
        if len(messages) != 1 or wanted not in texts[0] or (messages[0]["link"] is not None) != link:
            raise AssertionError(f"{step}: expected one reply with {wanted!r} (link={link}), got {messages}")

    def _converse(self) -> None:
        outcome = self.outcome
        opened = self._call("POST", "/api/chat/sessions", {}, 201)
        outcome.token = opened["session_token"]
        self._expect("greeting", self._keep(opened["messages"]), TEXT["need_again"])
        self._expect("reset", self._say("reset"), TEXT["identify"])
        self._expect("employee ID", self._say(self.employee), TEXT["choose"])
        self._expect("email", self._say("email"), CODE_SENT_EMAIL)
        outcome.code = self._read_code()
        replies = self._say(outcome.code)
        self._expect("code", replies, TEXT["verified_reset"].split(" Open")[0], link=True)
        outcome.link = replies[0]["link"]["url"]
        if not outcome.link.startswith(f"http://127.0.0.1:{self.port}/reset/"):
            raise AssertionError(f"link not built from the public URL: {outcome.link}")
        # The same code again, in the same conversation: not accepted again, no second link.
        self._expect("code again", self._say(outcome.code), TEXT["awaiting"])
        history = self._call("GET", "/api/chat/messages?after=0", None, 200)
        bot = [m for m in history["messages"] if m["from"] != "person"]
        # Each reply once, in order; one that had a link is kept without its URL (the text gets a note).
        same = len(bot) == len(outcome.bot_said) and all(
            m["link"] is None and (m["text"].startswith(text) if had_link else m["text"] == text)
            for m, (text, had_link) in zip(bot, outcome.bot_said, strict=False)
        )
        if not same:
            raise AssertionError(f"history differs from the replies:\n{bot}\n!=\n{outcome.bot_said}")
        person = [m["text"] for m in history["messages"] if m["from"] == "person"]
        if person != ["reset", self.employee, "email", "[redacted]", "[redacted]"]:
            raise AssertionError(f"person's lines in history: {person}")

    def _read_code(self) -> str:
        deadline = time.monotonic() + 30  # the chat answered at once; a delivery worker sends the email soon after
        while True:
            with self.database.transaction() as session:
                mine = (OutboxMessage.recipient == self.email, OutboxMessage.kind == "email")
                bodies = session.scalars(select(OutboxMessage.body).where(*mine)).all()
            if bodies or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if len(bodies) != 1:
            raise AssertionError(f"{len(bodies)} emails for {self.email}, expected exactly one")
        match = _CODE.search(bodies[0])
        if match is None:
            raise AssertionError("no code in the email")
        return match.group(1)

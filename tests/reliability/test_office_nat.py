"""Issue 13, finding 8: an office behind one NAT address. 300 people, all from 127.0.0.1, each walk a whole
recovery through a real HTTP server (werkzeug, threaded) with the default limits: a chat session, their
employee ID, an email code, the reset link, a new password set on the reset page, and the page's polls.

The test clock stands still, so every request falls into one rate-limit window: the whole Monday-morning wave
arrives within the same minute, the hardest case for a per-address limit. No one may get a 429: per-session
and per-account limits are the real defence, and the per-address limit is only a backstop above an office.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import Core, create_app, wiring
from core.storage.models import OutboxMessage
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.support.web_client import Answer, WebClient

PEOPLE = 300
AT_ONCE = 24  # people mid-recovery at any moment
NEW_PASSWORD = "maple river quietly 1987 lantern"
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Office:
    url: str
    core: Core
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, answer: Answer) -> Answer:
        with self.lock:
            self.statuses[answer.status] += 1
        return answer


@pytest.fixture
def office(make_core: CoreFactory) -> Iterator[Office]:
    core = make_core()  # the default limits; only argon2 is the tests' cheap profile
    for n in range(PEOPLE):
        add_employee(core, f"N{n:04d}", username=f"office.user{n}", email=f"n{n:04d}@example.com")
    app = create_app(core=core)
    delivery = wiring(app).delivery  # the in-process delivery worker, as `python app.py run` starts it
    delivery.start()
    request_log = logging.getLogger("werkzeug")
    level, _ = request_log.level, request_log.setLevel(logging.WARNING)  # 3,600 request lines cost seconds
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="office-server", daemon=True)
    thread.start()
    try:
        yield Office(f"http://127.0.0.1:{server.server_port}", core)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        delivery.stop()
        request_log.setLevel(level)


def _code_for(core: Core, email: str) -> str:
    """The one code sent to `email`, once the delivery worker has sent it (it works the queue in the background)."""
    deadline = time.monotonic() + 30
    while True:
        with core.database.transaction() as session:
            bodies = session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == email)).all()
        if bodies or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(bodies) == 1, f"{len(bodies)} emails to {email}"
    match = _CODE.search(bodies[0])
    assert match is not None
    return match.group(1)


def _recover(office: Office, n: int) -> str | None:
    """One person's whole recovery; None when it finished, else what went wrong."""
    person = WebClient(office.url)
    last_seq = 0

    def chat(method: str, path: str, body: object = None) -> dict[str, object]:
        nonlocal last_seq
        answer = office.note(person.chat(method, path, body))
        if answer.status not in (200, 201):
            raise AssertionError(f"{method} {path} -> {answer.status} {answer.text[:200]}")
        data = answer.json()
        last_seq = int(data["last_seq"])
        return dict(data)

    def say(text: str) -> list[dict[str, object]]:
        replies = list(chat("POST", "/api/chat/messages", {"text": text, "after": last_seq})["messages"])
        chat("GET", f"/api/chat/messages?after={last_seq}")  # the page polls between turns
        return replies

    try:
        chat("POST", "/api/chat/sessions", {})
        for text in ("I forgot my password", f"N{n:04d}", "email"):
            say(text)
        link = say(_code_for(office.core, f"n{n:04d}@example.com"))[-1]["link"]
        if not isinstance(link, dict):
            return "the code was not accepted"
        # The link is built from the configured public URL; this server listens on a port picked at random.
        path = str(link["url"]).removeprefix(office.core.settings.public_url)
        done = office.note(person.set_password(office.url + path, NEW_PASSWORD))
        if done.status != 200:
            return f"reset page answered {done.status}"
        office.note(person.request("GET", "/api/chat/messages?after=0"))  # the chat hears the reset is done
        return None
    except AssertionError as problem:
        return str(problem)


@pytest.mark.slow
def test_three_hundred_people_behind_one_address_each_finish_a_recovery(office: Office) -> None:
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        problems = list(pool.map(lambda n: _recover(office, n), range(PEOPLE)))
    elapsed = time.monotonic() - began
    failed = [(n, p) for n, p in enumerate(problems) if p is not None]
    print(
        f"\noffice NAT: {PEOPLE - len(failed)}/{PEOPLE} recoveries in {elapsed:.1f} s, statuses {dict(office.statuses)}"
    )
    assert office.statuses[429] == 0, f"{office.statuses[429]} answers were 429 (rate limited)"
    assert not failed, failed[:5]
    with office.core.database.transaction() as session:
        changed = session.scalars(
            select(OutboxMessage.recipient).where(
                OutboxMessage.body.contains("was just changed"), OutboxMessage.kind == "email"
            )
        )
        assert len(set(changed)) == PEOPLE  # every person's password really was set (each was told so)

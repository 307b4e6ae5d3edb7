"""Secrets never reach logs, transcripts, tickets, chat history or the audit trail.

One test drives the representative flows end to end on one app (web chat with an email code and the reset
page, web chat with challenge questions, the terminal engine with an SMS code, a hand-off where the agent
console sends a code, a hand-off where the agent sends a reset link), keeping every code, answer,
password and reset token that was sent, typed or issued, right or wrong. With every log captured at
DEBUG (the application's loggers, transitions, and werkzeug's request log from a real development
server), it then searches the captured logs and every stored place a person or agent can read:
conversation transcripts and slots, tickets (transcript and live-chat lines), the web chat history,
recoveries and audit rows. Nothing may be found.

Not searched: the outbox table (it *is* the delivery of codes in demo mode), hashed columns, and what the
person's own screen shows (the terminal prints the link it sends; the chat shows the person's own words).
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from app import Core, create_app, wiring
from bot.terminal import run_terminal_chat
from channels.web.reset_page import FORM_PATH
from core.directory.sql import EmployeeRecord
from core.secrets.questions import find_question
from core.storage.models import (
    AuditEvent,
    ChatMessage,
    Conversation,
    HandoffTicket,
    OutboxMessage,
    Recovery,
    TicketMessage,
)
from core.types import ResetLink
from tests.channels.conftest import ChatClient, csrf_of
from tests.conftest import CoreFactory
from tests.support import FakeClock, deliver_queued

AGENT_PASSWORD = "saffron ledger agent 5591"
_CODE = re.compile(r"\b(\d{6})\b")
_QUESTION = re.compile(r"Question \d of \d: (.+)$")


@dataclass
class Employee:
    employee_id: str
    password: str
    answers: dict[str, str]
    email: str = ""
    phone: str = ""


EMPLOYEES = {
    e.employee_id: e
    for e in (
        Employee("E7001", "amber kettle drift 93 fjord",
                 {"first_pet": "Marzipan Wombat", "birth_city": "Quillborough", "first_school": "Velvet Orchard"}),
        Employee("E7002", "cobalt lantern 47 sleet orbit",
                 {"first_car": "Zephyrine", "childhood_street": "Hollowmere Lane", "mother_maiden": "Oakhurst"}),
        Employee("E7003", "granite pelican 18 mosaic hush",
                 {"first_pet": "Pumpernickel", "favourite_teacher": "Thistlewood", "first_job_city": "Brackenfjord"}),
        Employee("E7004", "umber violin 62 thimble crest",
                 {"first_pet": "Snorkelbean", "birth_city": "Wrenhaven", "first_school": "Ashgrove Primary"}),
        Employee("E7005", "indigo walrus 30 pebble vault",
                 {"first_pet": "Gobbledyfig", "birth_city": "Larkspur Quay", "first_school": "Emberfield"}),
    )
}  # fmt: skip
for number, employee in enumerate(EMPLOYEES.values()):
    employee.email = f"{employee.employee_id.lower()}@example.com"
    employee.phone = f"+4420794{number:05d}"


@dataclass
class Secrets:
    """Everything secret that a flow sent, typed or issued, by kind."""

    codes: set[str] = field(default_factory=set)
    answers: set[str] = field(default_factory=set)
    passwords: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)

    def needles(self) -> list[tuple[str, str]]:
        found = [("code", c) for c in self.codes] + [("answer", a) for a in self.answers]
        found += [("password", p) for p in self.passwords] + [("reset token", t) for t in self.tokens]
        return sorted(found)


def find_secrets(secrets: Secrets, places: dict[str, str]) -> list[str]:
    """Every (secret, place) where a secret's text occurs, case-insensitively."""
    hits = []
    for place, text in places.items():
        folded = text.casefold()
        for kind, value in secrets.needles():
            if value.casefold() in folded:
                hits.append(f"{kind} {value!r} found in {place}")
    return hits


# -- the flows ---------------------------------------------------------------------------------------------


class Flows:
    def __init__(self, app: Flask, core: Core, clock: FakeClock) -> None:
        self.app = app
        self.core = core
        self.clock = clock
        self.secrets = Secrets()
        self.places: dict[str, str] = {}  # pages an agent saw, searched like the stored places
        self.agent_tokens: list[str] = []
        # Reset links only ever travel inside replies; keep each one the service issues.
        issue, agent_issue = core.recovery.issue_reset_link, core.recovery.agent_issue_link

        def issued(link: ResetLink, by_agent: bool = False) -> ResetLink:
            token = link.url.rsplit("/", 1)[1]
            self.secrets.tokens.add(token)
            if by_agent:
                self.agent_tokens.append(token)
            return link

        core.recovery.issue_reset_link = lambda handle: issued(issue(handle))  # type: ignore[method-assign]
        core.recovery.agent_issue_link = lambda handle, **kw: issued(agent_issue(handle, **kw), True)  # type: ignore[method-assign]

    # helpers

    def add_employees(self) -> None:
        for e in EMPLOYEES.values():
            record = EmployeeRecord(e.employee_id, f"{e.employee_id.lower()}.user", "Sam Example", e.email, e.phone,
                                    password=e.password)  # fmt: skip
            self.core.directory.upsert(record)
            account = self.core.directory.find(e.employee_id)
            assert account is not None
            self.core.answers.enrol(account.id, e.answers)
            self.secrets.passwords.add(e.password)
            self.secrets.answers.update(e.answers.values())

    def say(self, chat: ChatClient, text: str, *, secret: str | None = None) -> list[dict[str, Any]]:
        self.clock.advance(4)  # a person's pace: inside the chat API's per-session and per-address limits
        if secret:
            getattr(self.secrets, secret).add(text)
        return chat.say(text)

    def code(self, recipient: str) -> str:
        deliver_queued(self.core)
        with self.core.database.transaction() as session:
            body = session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
            ).first()
        assert body is not None
        match = _CODE.search(body)
        assert match is not None, body
        self.secrets.codes.add(match.group(1))
        return match.group(1)

    def wrong_code(self, right: str) -> str:
        wrong = f"{(int(right) + 370_511) % 1_000_000:06d}"
        self.secrets.codes.add(wrong)
        return wrong

    def answer(self, employee: Employee, prompt: str) -> str:
        match = _QUESTION.search(prompt)
        assert match is not None, prompt
        for question_id, answer in employee.answers.items():
            question = find_question(question_id)
            if question is not None and question.text == match.group(1):
                return answer
        raise AssertionError(prompt)

    def sign_in_agent(self) -> tuple[FlaskClient, str]:
        self.core.support.create_agent("quinn", "Quinn", AGENT_PASSWORD)
        self.secrets.passwords.add(AGENT_PASSWORD)
        agent = self.app.test_client()
        form = {"csrf_token": csrf_of(agent.get("/agent/login").get_data(as_text=True)), "username": "quinn",
                "password": AGENT_PASSWORD}  # fmt: skip
        assert agent.post("/agent/login", data=form).status_code == 302
        return agent, csrf_of(agent.get("/agent").get_data(as_text=True))

    def reset_page(self, client: FlaskClient, token: str, employee: Employee, *, live_server_url: str = "") -> None:
        """Weak, mismatched and finally accepted passwords on the reset page (and its live meter)."""
        path = f"/reset/{token}"
        if live_server_url:  # once through a real server, so werkzeug's request log lines are produced
            browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())  # follows the 303
            with browser.open(live_server_url + path, timeout=10) as page:
                assert page.status == 200 and page.url == live_server_url + FORM_PATH
        csrf = csrf_of(client.get(path, follow_redirects=True).get_data(as_text=True))
        path = FORM_PATH  # the form's posts carry no token
        weak, new = "sunshine1234", f"{employee.password} renewed 2"
        self.secrets.passwords.update({weak, new, new + "x"})
        meter = client.post(f"{path}/check", json={"password": weak}, headers={"X-CSRF-Token": csrf})
        assert meter.status_code == 200 and meter.get_json()["ok"] is False
        assert client.post(path, data={"csrf_token": csrf, "password": weak, "confirmation": weak}).status_code == 422
        mismatch = client.post(path, data={"csrf_token": csrf, "password": new, "confirmation": new + "x"})
        assert mismatch.status_code == 422
        done = client.post(path, data={"csrf_token": csrf, "password": new, "confirmation": new})
        assert done.status_code == 200, done.get_data(as_text=True)
        assert self.core.directory.verify_password(self.core.directory.find(employee.employee_id).id, new)  # type: ignore[union-attr]

    # flows

    def web_email_code_and_reset_page(self, live_server_url: str) -> None:
        e = EMPLOYEES["E7001"]
        client = self.app.test_client()
        chat = ChatClient(client)
        self.say(chat, "I forgot my password")
        self.say(chat, e.employee_id)
        self.say(chat, "email")
        code = self.code(e.email)
        assert "isn't right" in self.say(chat, self.wrong_code(code))[-1]["text"]
        replies = self.say(chat, f"{code[:3]} {code[3:]}", secret="codes")  # typed spaced: "123 456"
        assert replies[-1]["link"] is not None
        self.reset_page(client, replies[-1]["link"]["url"].rsplit("/", 1)[1], e, live_server_url=live_server_url)
        assert "password has been changed" in chat.poll()[-1]["text"]

    def web_questions_unlock(self) -> None:
        e = EMPLOYEES["E7002"]
        chat = ChatClient(self.app.test_client())
        self.say(chat, "I'm locked out")
        self.say(chat, e.employee_id)
        replies = self.say(chat, "questions")
        for wrong in ("Nebulous Turnip", "Crinkleford"):
            replies = self.say(chat, wrong, secret="answers")
        assert "didn't match" in " ".join(r["text"] for r in replies)
        while replies[-1]["text"].startswith("Question"):
            replies = self.say(chat, self.answer(e, replies[-1]["text"]))
        assert "unlocked" in replies[-1]["text"]

    def terminal_sms_code(self) -> None:
        e = EMPLOYEES["E7003"]
        engine = wiring(self.app).engine

        def lines() -> Iterator[str]:
            yield "reset my password\n"
            yield f"{e.employee_id}\n"
            yield "sms\n"
            code = self.code(e.phone)
            yield f"{self.wrong_code(code)}\n"
            yield f"{code}\n"

        out = io.StringIO()
        run_terminal_chat(engine, None, user_id="terminal-secrets", source=lines(), out=out)  # type: ignore[arg-type]
        assert "Set a new password: http" in out.getvalue()

    def handoff_agent_sends_code(self) -> None:
        e = EMPLOYEES["E7004"]
        chat = ChatClient(self.app.test_client())
        self.say(chat, "reset")
        self.say(chat, e.employee_id)
        replies = self.say(chat, "questions")
        self.say(chat, self.answer(e, replies[-1]["text"]))  # a right answer, typed before asking for a person
        self.say(chat, "Pickled Zeppelin", secret="answers")  # and a wrong one
        reference = _reference(self.say(chat, "agent"))
        self.clock.advance(4)
        self.secrets.codes.add("482913")
        chat.say("the last code I got was 482 913, can you check it?")
        agent, csrf = self.sign_in_agent()
        assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
        said = agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": "Hi, Quinn here."},
                          headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert said.status_code == 200
        self.clock.advance(61)
        agent.post(f"/agent/tickets/{reference}/send-code",
                   data={"csrf_token": csrf, "method": "email", "reason": "Caller known, badge checked"})  # fmt: skip
        assert chat.poll()[-1]["expects"] == "code"
        replies = self.say(chat, self.code(e.email))
        assert replies[-1]["link"] is not None
        ticket = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
        agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": "resolved"})
        self.places["agent console page"] = ticket

    def handoff_agent_sends_link(self) -> None:
        e = EMPLOYEES["E7005"]
        client = self.app.test_client()
        chat = ChatClient(client)
        self.say(chat, "reset")
        self.say(chat, e.employee_id)
        reference = _reference(self.say(chat, "I need a human"))
        agent = self.app.test_client()
        form = {"csrf_token": csrf_of(agent.get("/agent/login").get_data(as_text=True)), "username": "quinn",
                "password": AGENT_PASSWORD}  # fmt: skip
        assert agent.post("/agent/login", data=form).status_code == 302
        csrf = csrf_of(agent.get("/agent").get_data(as_text=True))
        agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
        form = {"csrf_token": csrf, "reason": "Verified on a video call"}
        page = agent.post(f"/agent/tickets/{reference}/send-link", data=form, follow_redirects=True)
        self.places["agent console after sending a link"] = page.get_data(as_text=True)
        assert "IT support has sent you a secure link" in chat.poll()[-1]["text"]
        self.reset_page(client, self.agent_tokens[-1], e)
        agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": "resolved"})


def _reference(replies: list[dict[str, Any]]) -> str:
    match = re.search(r"RD-[0-9A-Z]{6}", " ".join(r["text"] for r in replies))
    assert match is not None, replies
    return match.group(0)


@pytest.fixture
def live_server(make_core: CoreFactory) -> Iterator[tuple[Flask, Core, str]]:
    """The app on the test database, also served by werkzeug's development server (its request log
    line holds the path)."""
    core = make_core()
    app = create_app(core=core)
    app.testing = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, core, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def stored_places(core: Core) -> dict[str, str]:
    """Everything stored that a person, an agent or an operator reads, as text per row."""
    places: dict[str, str] = {}
    with core.database.transaction() as session:
        for c in session.scalars(select(Conversation)):
            places[f"conversation {c.channel}/{c.user_id}"] = json.dumps([c.state, c.slots, c.transcript])
        for t in session.scalars(select(HandoffTicket)):
            places[f"ticket {t.reference} transcript"] = json.dumps(t.transcript)
        for m in session.scalars(select(TicketMessage)):
            places[f"ticket message {m.id}"] = m.text
        for h in session.scalars(select(ChatMessage)):
            places[f"chat history {h.id}"] = json.dumps(h.payload)
        for a in session.scalars(select(AuditEvent)):
            places[f"audit {a.id} {a.event}"] = json.dumps([a.event, a.actor, a.detail])
        for r in session.scalars(select(Recovery)):
            places[f"recovery {r.id}"] = json.dumps([r.subject, r.verified_steps, r.drawn_questions, r.answer_results])
    return places


def test_no_code_answer_password_or_token_in_logs_transcripts_tickets_history_or_audit(
    live_server: tuple[Flask, Core, str], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("transitions", "werkzeug", "resetdesk", "core", "bot", "dialogs", "channels", "app"):
        caplog.set_level(logging.DEBUG, logger=name)
    app, core, url = live_server
    flows = Flows(app, core, clock)
    flows.add_employees()
    flows.web_email_code_and_reset_page(url)
    flows.web_questions_unlock()
    flows.terminal_sms_code()
    flows.handoff_agent_sends_code()
    flows.handoff_agent_sends_link()

    secrets = flows.secrets
    # The flows really used what is searched for: 3 codes sent (one also typed spaced), 2 wrong ones and a
    # code-like number said to support; 4 links; 15 enrolled and 3 wrong answers; 11 passwords.
    assert len(secrets.codes) == 7 and len(secrets.tokens) == 4, secrets
    assert len(secrets.answers) == 18 and len(secrets.passwords) == 11, secrets
    logs = {f"log {r.name} {r.levelname}": r.getMessage() for r in caplog.records}
    logs["log text (with tracebacks)"] = caplog.text
    requests = [r.getMessage() for r in caplog.records if r.name == "werkzeug" and "GET /reset/" in r.getMessage()]
    assert requests, "werkzeug's request line for the reset page was not captured"
    places = logs | stored_places(core) | flows.places
    assert any(p.startswith("ticket message") for p in places) and any(p.startswith("chat history") for p in places)
    assert find_secrets(secrets, places) == []


def test_the_scan_finds_a_secret_where_one_is_left() -> None:
    """The scanner itself: a code, answer, password or token anywhere in a place is reported."""
    secrets = Secrets({"123456"}, {"Marzipan Wombat"}, {"amber kettle"}, {"tok_abc"})
    places = {"log": "checked code 123456", "ticket": "they said marzipan wombat", "clean": "nothing here"}
    places |= {"audit": '{"pw": "AMBER KETTLE"}', "history": "https://x/reset/tok_abc"}
    assert len(find_secrets(secrets, places)) == 4


@pytest.mark.parametrize("public_url", ["https://reset.example.com", "http://127.0.0.1:5000"])
def test_the_session_cookie_holding_the_csrf_token_and_sign_in_is_httponly_strict_and_secure_over_https(
    make_core: CoreFactory, public_url: str
) -> None:
    app = create_app(core=make_core(public_url=public_url))
    cookie = app.test_client().get("/agent/login").headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].casefold(): part.strip() for part in cookie.split(";")}
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Strict"
    assert ("secure" in attributes) == public_url.startswith("https://")

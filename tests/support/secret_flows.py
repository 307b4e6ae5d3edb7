"""The representative flows that tests/security/test_secrets_scan.py drives end to end on one app, keeping
every code, answer, password and reset token that was sent, typed or issued, right or wrong."""

from __future__ import annotations

import io
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core, wiring
from bot.terminal import run_terminal_chat
from channels.web.reset_page import FORM_PATH
from core.directory.sql import EmployeeRecord
from core.secrets.questions import find_question
from core.storage.models import OutboxMessage
from core.types import ResetLink
from tests.channels.conftest import ChatClient, csrf_of
from tests.support import FakeClock, deliver_queued
from tests.support.secret_scan import EMPLOYEES, Employee, Secrets

AGENT_PASSWORD = "saffron ledger agent 5591"
_CODE = re.compile(r"\b(\d{6})\b")
_QUESTION = re.compile(r"Question \d of \d: (.+)$")


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
        assert meter.status_code == 200 and meter.get_json()["acceptable"] is False
        assert client.post(path, data={"csrf_token": csrf, "password": weak, "confirmation": weak}).status_code == 422
        mismatch = client.post(path, data={"csrf_token": csrf, "password": new, "confirmation": new + "x"})
        assert mismatch.status_code == 422
        done = client.post(path, data={"csrf_token": csrf, "password": new, "confirmation": new})
        assert done.status_code == 200, done.get_data(as_text=True)
        assert self.core.directory.verify_password(self.core.directory.find(employee.employee_id).id, new)  # type: ignore[union-attr]

    # flows

    def run_every_flow(self, live_server_url: str) -> None:
        """The employees on file, then each flow below in turn: every place a secret could leak is exercised."""
        self.add_employees()
        self.web_email_code_and_reset_page(live_server_url)
        self.web_questions_unlock()
        self.terminal_sms_code()
        self.handoff_agent_sends_code()
        self.handoff_agent_sends_link()

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

"""Live support through the web: tickets, the agent console, the relay both ways, agent actions."""

from __future__ import annotations

import json
import re
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core
from core.storage.models import AuditEvent, HandoffTicket
from tests.channels.conftest import ChatClient, csrf_of
from tests.core.conftest import ANSWERS, add_employee, last_outbox_code
from tests.support import FakeClock
from tests.support.agents import AGENT_PASSWORD, sign_in_with_totp


def sign_in(app: Flask, core: Core, username: str = "sam") -> tuple[FlaskClient, str]:
    """An agent with a TOTP secret, signed in with password and code (two-factor is on for enrolled agents)."""
    client, csrf, _, _ = sign_in_with_totp(app, core, username)
    return client, csrf


def person_asks_for_a_human(app: Flask, core: Core) -> tuple[ChatClient, str]:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    replies = chat.say("I want to talk to a human")
    reference = re.search(r"RD-[0-9A-Z]{6}", replies[-1]["text"])
    assert reference is not None, replies
    return chat, reference.group(0)


def test_the_console_needs_a_signed_in_agent(client: FlaskClient, core: Core) -> None:
    assert client.get("/agent").status_code == 302
    assert client.get("/agent/api/queue").status_code == 401
    core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
    csrf = csrf_of(client.get("/agent/login").get_data(as_text=True))
    wrong = client.post("/agent/login", data={"csrf_token": csrf, "username": "sam", "password": "nope"})
    assert wrong.status_code == 401
    no_csrf = client.post("/agent/login", data={"username": "sam", "password": AGENT_PASSWORD})
    assert no_csrf.status_code == 400
    page = client.get("/agent/login")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_web_person_and_agent_talk_both_ways_then_the_agent_closes(app: Flask, core: Core) -> None:
    chat, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    queue = agent.get("/agent/api/queue").get_json()["tickets"]
    assert [t["reference"] for t in queue] == [reference] and queue[0]["reason"] == "asked"
    page = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    assert "E1001" in page and "e•••@example.com" in page and "e1001@example.com" not in page
    assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302

    sent = agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": "Hi, I'm Sam from IT."},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert sent.status_code == 200 and sent.get_json()["delivered"] is True
    pushed = chat.poll()
    assert pushed[-1]["text"] == "Hi, I'm Sam from IT." and pushed[-1]["from"] == "agent"

    assert chat.say("Hello Sam, I'm locked out") == []  # the bot stays quiet while a person is on it
    lines = agent.get(f"/agent/api/tickets/{reference}/messages").get_json()["messages"]
    assert ("person", "Hello Sam, I'm locked out") in [(m["sender"], m["text"]) for m in lines]

    agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": "resolved"})
    assert "closed your ticket" in chat.poll()[-1]["text"]
    assert agent.get("/agent/api/queue").get_json()["tickets"] == []
    assert "What is your employee ID" in chat.say("reset")[-1]["text"]  # back with the bot


def test_agent_messages_need_the_csrf_header_and_the_ticket(app: Flask, core: Core) -> None:
    _, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    path = f"/agent/api/tickets/{reference}/messages"
    assert agent.post(path, json={"text": "hi"}).status_code == 400  # no CSRF token
    assert agent.post(path, json={"text": "hi"}, headers={"X-CSRF-Token": csrf}).status_code == 409  # not taken


def test_two_agents_taking_one_ticket_at_once_one_wins(app: Flask, core: Core) -> None:
    _, reference = person_asks_for_a_human(app, core)
    agents = [core.support.create_agent(name, name, AGENT_PASSWORD) for name in ("ana", "ben", "cy", "dee")]
    barrier = threading.Barrier(len(agents))
    results: list[bool] = []

    def take(agent) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results.append(core.support.take(reference, agent))

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_agent_sends_a_reset_link_without_seeing_it_and_it_is_audited(app: Flask, core: Core) -> None:
    chat, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    no_reason = agent.post(f"/agent/tickets/{reference}/send-link", data={"csrf_token": csrf, "reason": ""},
                           follow_redirects=True)  # fmt: skip
    assert "reason" in no_reason.get_data(as_text=True) and chat.poll() == []
    page = agent.post(f"/agent/tickets/{reference}/send-link",
                      data={"csrf_token": csrf, "reason": "Verified by video call with manager"},
                      follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "/reset/" not in page
    link = chat.poll()[-1]
    assert "IT support has sent you a secure link" in link["text"]
    with core.database.transaction() as session:
        events = {e.event: e for e in session.scalars(select(AuditEvent))}
    assert events["agent.link_issued"].actor == "agent:sam"
    assert events["agent.link_issued"].detail["reason"] == "Verified by video call with manager"


def test_agent_override_lets_a_locked_out_person_verify_by_code(app: Flask, core: Core, clock: FakeClock) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    chat.say("questions")
    for _ in range(10):
        for _ in range(2):
            clock.advance(4)  # stay under the chat's per-session message rate
            replies = chat.say("wrong answer")
    assert "too many failed attempts" in replies[-1]["text"]
    reference = re.search(r"RD-[0-9A-Z]{6}", replies[-1]["text"]).group(0)  # type: ignore[union-attr]
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    clock.advance(61)
    agent.post(f"/agent/tickets/{reference}/send-code",
               data={"csrf_token": csrf, "method": "email", "reason": "Known caller, badge checked"})  # fmt: skip
    assert chat.poll()[-1]["expects"] == "code"
    assert chat.say(last_outbox_code(core))[-1]["link"] is not None


def test_every_hand_off_trigger_opens_exactly_one_ticket_with_its_reason(make_app, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    app, core = make_app()
    add_employee(core, "E1", email=None, phone=None, answers={})  # nothing on file
    add_employee(core, "E2")

    def run(*lines: str) -> None:
        chat = ChatClient(app.test_client())
        for line in lines:
            chat.say(line)

    run("reset", "agent")
    run("reset", "E1")
    run("blorp", "zzz", "qqq", "wat")
    chat = ChatClient(app.test_client())
    for line in ("reset", "E2", "questions"):
        chat.say(line)
    for _ in range(20):
        clock.advance(4)
        chat.say("nope")
    with core.database.transaction() as session:
        reasons = sorted(t.reason for t in session.scalars(select(HandoffTicket)))
    assert reasons == ["asked", "no_method", "not_understood", "verification_locked"]


def test_after_hours_the_person_is_told_when_support_opens(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(support_hours="Sat-Sat 03:00-04:00 UTC")  # the fake clock says Monday 09:00
    chat = ChatClient(app.test_client())
    text = chat.say("agent")[-1]["text"]
    assert "Support is closed right now and opens Saturday 03:00" in text and "stays open" in text


def test_new_tickets_alert_the_support_address(make_app, smtp_server) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(email_backend="smtp", smtp_host=smtp_server.host, smtp_port=smtp_server.port,
                      smtp_starttls=False, support_email="helpdesk@example.com")  # fmt: skip
    chat = ChatClient(app.test_client())
    reference = re.search(r"RD-[0-9A-Z]{6}", chat.say("agent")[-1]["text"]).group(0)  # type: ignore[union-attr]
    alert = smtp_server.wait_for(1)[0]
    assert alert["To"] == "helpdesk@example.com" and reference in alert.get_content()
    assert "(asked for a person, via web)" in alert.get_content()  # the reason in the console's words
    chat.say("anyone?")
    assert len(smtp_server.messages) == 1  # one ticket, one alert


def test_the_console_never_shows_a_secret(app: Flask, core: Core) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    chat.say("email")
    code = last_outbox_code(core)
    chat.say("another way")
    chat.say("questions")
    chat.say(ANSWERS["first_pet"])
    chat.say(code)
    reference = re.search(r"RD-[0-9A-Z]{6}", chat.say("agent")[-1]["text"]).group(0)  # type: ignore[union-attr]
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    page = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    api = json.dumps(agent.get(f"/agent/api/tickets/{reference}/messages").get_json())
    for secret in (code, ANSWERS["first_pet"], "Rex the Dog", "+15555550101"):
        assert secret not in page and secret not in api


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_the_console_escapes_what_people_type(app: Flask, core: Core, payload: str) -> None:
    chat = ChatClient(app.test_client())
    chat.say(payload)
    reference = re.search(r"RD-[0-9A-Z]{6}", chat.say("agent")[-1]["text"]).group(0)  # type: ignore[union-attr]
    agent, _ = sign_in(app, core)
    page = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    assert payload not in page and "&lt;" in page


def test_agent_actions_reach_a_person_who_has_moved_on(app: Flask, core: Core, clock: FakeClock) -> None:
    chat, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    clock.advance(61)
    agent.post(
        f"/agent/tickets/{reference}/send-code", data={"csrf_token": csrf, "method": "sms", "reason": "ok per HR"}
    )
    assert chat.poll()[-1]["expects"] == "code"  # the person is at the code step now, no longer in hand-off
    # The agent then sends a link instead: it reaches them at the code step too.
    sent = agent.post(f"/agent/tickets/{reference}/send-link", data={"csrf_token": csrf, "reason": "verified by phone"})
    assert sent.status_code == 302
    assert "IT support has sent you a secure link" in chat.poll()[-1]["text"]
    assert chat.say("new link")[-1]["link"] is not None  # the web history never held the URL; a fresh one comes

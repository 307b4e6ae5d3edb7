"""Hostile input, injected: SQL injection strings in identifiers, answers, imports and console fields, and HTML
in every field the console and the chat show."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app import Core
from core.storage.models import Account, Agent, OutboxMessage, ResetToken
from tests.channels.conftest import ChatClient, csrf_of
from tests.channels.test_agent_console import person_asks_for_a_human, sign_in
from tests.core.conftest import OLD_PASSWORD, add_employee
from tests.support import FakeClock
from tests.support.hostile_input import (
    ACCENTED,
    METHODS,
    UNREADABLE,
    answer_questions,
    emails_to,
    import_csv,
    rows,
    spaced,
)

SQL_INJECTIONS = [
    "' OR '1'='1",
    "E1001' --",
    "E1001'; DROP TABLE accounts; --",
    '" OR 1=1 --',
    "1; UPDATE accounts SET locked = 1; --",
    "' UNION SELECT password_hash FROM accounts --",
]
HTML_PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "</li><svg onload=window.__pwned=1>",
]


# -- SQL injection ------------------------------------------------------------------------------------------


def fingerprint(core: Core) -> tuple[int, int, bool]:
    account = core.directory.find("E1001")
    assert account is not None
    return rows(core, Account), rows(core, Agent), core.directory.verify_password(account.id, OLD_PASSWORD)


@pytest.mark.parametrize("injection", SQL_INJECTIONS)
def test_sql_injection_as_identifier_and_answers_has_no_effect(
    app: Flask, core: Core, clock: FakeClock, injection: str
) -> None:
    add_employee(core)
    before = fingerprint(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    assert chat.say(injection)[-1]["text"] in (METHODS, UNREADABLE)  # like any unknown or odd ID
    spaced(clock, chat, "email")
    assert emails_to(core, "e1001@example.com") == 0
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    assert not answer_questions(chat, clock, dict.fromkeys(ACCENTED, injection), form="NFC").endswith("[link]")
    assert fingerprint(core) == before and rows(core, ResetToken) == 0


@pytest.mark.parametrize("injection", SQL_INJECTIONS)
def test_sql_injection_in_csv_import_values_is_stored_as_text(core: Core, injection: str) -> None:
    add_employee(core)
    before = fingerprint(core)
    cell = '"' + injection.replace('"', '""') + '"'
    report = import_csv(core, f"{cell},{cell},{cell},,,,first_pet,{cell},,,,")
    assert report.rejected == [] and report.imported == 1
    account = core.directory.find(injection)
    assert account is not None and account.employee_id == injection.strip()
    assert core.answers.verify(account.id, {"first_pet": injection})
    assert fingerprint(core)[0] == before[0] + 1 and fingerprint(core)[1:] == before[1:]


@pytest.mark.parametrize("injection", SQL_INJECTIONS)
def test_sql_injection_in_console_fields_has_no_effect(app: Flask, core: Core, injection: str) -> None:
    _, reference = person_asks_for_a_human(app, core)
    anonymous = app.test_client()
    login = csrf_of(anonymous.get("/agent/login").get_data(as_text=True))
    for username, password in ((injection, "x"), ("sam", injection), (injection, injection)):
        form = {"csrf_token": login, "username": username, "password": password}
        assert anonymous.post("/agent/login", data=form).status_code == 401
    before = fingerprint(core)
    agent, csrf = sign_in(app, core)
    assert agent.get(f"/agent/tickets/{injection}").status_code == 404
    assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    sent = agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": injection},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert sent.status_code == 200
    agent.post(f"/agent/tickets/{reference}/send-code", data={"csrf_token": csrf, "method": injection,
                                                              "reason": injection})  # fmt: skip
    agent.post(f"/agent/tickets/{reference}/close", data={"csrf_token": csrf, "outcome": injection})
    lines = agent.get(f"/agent/api/tickets/{reference}/messages").get_json()
    assert injection in [m["text"] for m in lines["messages"]] and lines["status"] == "assigned"
    assert fingerprint(core)[0] == before[0] and fingerprint(core)[2] == before[2]
    assert rows(core, Agent) == before[1] + 1 and rows(core, OutboxMessage) == 0


# -- HTML in every field the console and the chat show ----------------------------------------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_html_in_name_transcript_and_ticket_chat_is_escaped_in_the_console(
    app: Flask, core: Core, payload: str
) -> None:
    cell = '"' + payload.replace('"', '""') + '"'
    assert import_csv(core, f"E1001,e1001user,{cell},e1001@example.com,,,,,,,,").imported == 1
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say(payload)
    chat.say("E1001")
    reference = re.search(r"RD-[0-9A-Z]{6}", chat.say("agent")[-1]["text"]).group(0)  # type: ignore[union-attr]
    chat.say(payload)  # in the live ticket chat
    agent, csrf = sign_in(app, core)
    agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": payload}, headers={"X-CSRF-Token": csrf})
    page = agent.get(f"/agent/tickets/{reference}").get_data(as_text=True)
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    assert payload not in page and "<svg" not in page and "<img" not in page
    assert page.count(escaped) >= 4  # full name, transcript, the person's and the agent's live lines
    # The JSON the console and the widget poll is data, not markup.
    api = agent.get(f"/agent/api/tickets/{reference}/messages")
    assert api.mimetype == "application/json" and payload in [m["text"] for m in api.get_json()["messages"]]
    history = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer())
    assert history.mimetype == "application/json" and history.headers["X-Content-Type-Options"] == "nosniff"

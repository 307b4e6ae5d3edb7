# ruff: noqa: F811  (fixtures are imported from tests/channels and tests/browser, then used as arguments)
"""Hostile input through every public surface: huge bodies, control and look-alike characters, SQL
injection strings, HTML payloads, forged Host headers, CSRF, and what the reset page lets a referrer see."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app import Core
from channels.web.reset_page import FORM_PATH
from core.directory.importer import import_employees
from core.secrets.questions import QUESTION_POOL
from core.storage.models import (
    Account,
    Agent,
    AuditEvent,
    ChatMessage,
    HandoffTicket,
    OutboxMessage,
    ResetToken,
    TicketMessage,
)
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.channels.test_agent_console import AGENT_PASSWORD, person_asks_for_a_human, sign_in
from tests.channels.test_slack import USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)
from tests.channels.test_telegram import JORDAN, Person, conversations, telegram, telegram_api  # noqa: F401
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support import FakeClock, deliver_queued

STRONG = "maple river quietly 1987 lantern"
MEGABYTE = 1024 * 1024
CSV_HEADER = (
    "employee_id,username,full_name,email,phone,password,question_1,answer_1,question_2,answer_2,question_3,answer_3"
)
SQL_INJECTIONS = [
    "' OR '1'='1",
    "E1001' --",
    "E1001'; DROP TABLE accounts; --",
    '" OR 1=1 --',
    "1; UPDATE accounts SET locked = 1; --",
    "' UNION SELECT password_hash FROM accounts --",
]
METHODS = "How would you like to confirm it's you?"
UNREADABLE = "I couldn't read that. Please type your employee ID (like E1234) or your username."
HTML_PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "</li><svg onload=window.__pwned=1>",
]


def rows(core: Core, model: Any) -> int:
    with core.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def emails_to(core: Core, address: str) -> int:
    deliver_queued(core)
    with core.database.transaction() as session:
        return len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == address)).all())


def spaced(clock: FakeClock, chat: ChatClient, text: str) -> list[dict[str, Any]]:
    clock.advance(4)  # under the per-session message rate
    return chat.say(text)


def import_csv(core: Core, *lines: str) -> Any:
    return import_employees(core.directory, core.answers, io.StringIO("\n".join([CSV_HEADER, *lines]) + "\n"))


# -- 1 MB messages ----------------------------------------------------------------------------------------


def test_a_1mb_chat_message_is_a_413_json_error_and_changes_nothing(client: FlaskClient, core: Core) -> None:
    chat = ChatClient(client)
    before = rows(core, ChatMessage)
    response = client.post("/api/chat/messages", json={"text": "a" * MEGABYTE})
    assert response.status_code == 413 and response.is_json and response.get_json()["message"]
    assert rows(core, ChatMessage) == before
    assert "employee ID" in chat.say("reset")[-1]["text"]  # the session carries on


def test_a_1mb_slack_message_is_refused_without_a_crash(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    response = slack.ws.send_event(slack.ws.dm_event(USER, "a" * MEGABYTE))
    assert response.status_code == 413 and response.is_json
    assert slack.api.calls == [] and slack.conversation() is None
    assert "unhandled error" not in caplog.text
    # Under the limit but far over a chat message: answered, and kept at the engine's 2,000 characters.
    assert slack.ws.send_event(slack.ws.dm_event(USER, "b" * 200_000)).status_code == 200
    assert len(slack.ws.new_messages()) == 1
    conversation = slack.conversation()
    assert conversation is not None and len(conversation.transcript[0]["text"]) <= 2000


def test_a_1mb_telegram_update_is_refused_without_a_crash(telegram: Any, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    from tests.channels.test_telegram import message_update

    response = jordan.post(message_update(JORDAN, "a" * MEGABYTE))
    assert response.status_code == 413 and response.is_json
    assert telegram_api.calls_to("sendMessage") == [] and conversations(core) == {}
    assert jordan.say("hi")  # the bot is fine afterwards (the fixture also checks no handler error)


# -- 4 KB passwords ---------------------------------------------------------------------------------------


def reset_page(app: Flask, core: Core) -> tuple[FlaskClient, str, str]:
    client = app.test_client()
    url = reset_link_via_email(core, ChatClient(client))
    path = url.removeprefix(core.settings.public_url)
    return client, path, csrf_of(client.get(path, follow_redirects=True).get_data(as_text=True))


@pytest.mark.parametrize("password", ["x" * 4096, "é" * 2048, "😀" * 1024], ids=["ascii", "2-byte", "4-byte"])
def test_a_4kb_password_is_refused_with_a_clear_reason(app: Flask, core: Core, password: str) -> None:
    client, path, csrf = reset_page(app, core)
    response = client.post(FORM_PATH, data={"csrf_token": csrf, "password": password, "confirmation": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "at most 128 characters" in html
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])  # nothing used up; the person can try again
    check = client.post(FORM_PATH + "/check", data=f'{{"password": "{password}"}}'.encode(),
                        content_type="application/json", headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert check.status_code == 200 and check.get_json()["ok"] is False
    assert any("at most 128" in p for p in check.get_json()["problems"])


# -- NUL, CR, LF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["E10\x0001", "E1001\r\n", "\r\nE1001\n", "E1001\x00"])
def test_nul_cr_lf_in_an_identifier_neither_crash_nor_leak(app: Flask, core: Core, typed: str) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    assert chat.say(typed)[-1]["text"] == "How would you like to confirm it's you?"
    chat.say("email")
    assert emails_to(core, "e1001@example.com") == 1  # stray NULs and line breaks do not hide the account
    history = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer()).get_json()
    assert all("\x00" not in m["text"] for m in history["messages"])


def test_nul_in_console_and_demo_inputs_is_a_clean_refusal(app: Flask, core: Core) -> None:
    _, reference = person_asks_for_a_human(app, core)
    anonymous = app.test_client()
    login = csrf_of(anonymous.get("/agent/login").get_data(as_text=True))
    response = anonymous.post("/agent/login", data={"csrf_token": login, "username": "sam\x00", "password": "x"})
    assert response.status_code in (400, 401)
    demo = csrf_of(anonymous.get("/demo/login").get_data(as_text=True))
    response = anonymous.post("/demo/login", data={"csrf_token": demo, "identifier": "E1001\x00", "password": "x"})
    assert response.status_code in (400, 401)

    agent, csrf = sign_in(app, core)
    assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    assert agent.get(f"/agent/tickets/{reference}%00").status_code in (400, 404)
    assert agent.get(f"/agent/api/tickets/{reference}/messages?after=" + "9" * 30).status_code == 200
    sent = agent.post(f"/agent/api/tickets/{reference}/messages", json={"text": "hi\x00 there"},
                      headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert sent.status_code in (200, 400)
    response = agent.post(f"/agent/tickets/{reference}/send-link", data={"csrf_token": csrf, "reason": "by phone\x00"})
    assert response.status_code in (302, 400)
    lines = agent.get(f"/agent/api/tickets/{reference}/messages").get_json()["messages"]
    assert all("\x00" not in m["text"] for m in lines)


def test_nul_in_a_csv_import_row_is_rejected_with_a_reason(core: Core) -> None:
    report = import_csv(core, "E9\x00,user9,Nul Person,,,,,,,,,", "E10,user10,Fine Person,,,,,,,,,")
    assert [line for line, _ in report.rejected] == [2] and report.imported == 1


# -- right-to-left, zero-width, emoji ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["\u202eE1001\u202c", "E1001\u200b", "\u200f\u200eE1001", "🔑 E1001 🙏", "E\u20031001", "\ufeffE1001"],
    ids=["rlo", "zwsp", "rlm-lrm", "emoji", "em-space", "bom"],
)
def test_bidi_zero_width_and_emoji_identifiers_are_handled_like_any_other(app: Flask, core: Core, text: str) -> None:
    add_employee(core)
    add_employee(core, "E1002", email="other@example.com")
    chat = ChatClient(app.test_client())
    chat.say("reset")
    assert chat.say(text)[-1]["text"] in (METHODS, UNREADABLE)
    chat.say("email")
    assert emails_to(core, "other@example.com") == 0  # never someone else's account
    said = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer()).get_json()["messages"]
    assert text in [m["text"] for m in said if m["from"] == "person"]  # kept as typed, returned as data


def answer_questions(chat: ChatClient, clock: FakeClock, answers: dict[str, str], *, form: str) -> str:
    """Answer whatever is asked, in the given Unicode normal form; returns the last reply's text."""
    by_text = {q.text: q.id for q in QUESTION_POOL}
    replies = spaced(clock, chat, "questions")
    for _ in range(3):
        asked = next((qid for text, qid in by_text.items() if text in replies[-1]["text"]), None)
        if asked is None:
            break
        replies = spaced(clock, chat, unicodedata.normalize(form, answers[asked]))  # type: ignore[arg-type]
    return replies[-1]["text"] + ("" if replies[-1]["link"] is None else " [link]")


ACCENTED = {"first_pet": "Zoë 🐶", "birth_city": "Zürich", "first_school": "École Molière"}


@pytest.mark.parametrize("form", ["NFD", "NFKC"])
def test_answers_typed_in_another_normal_form_verify(app: Flask, core: Core, clock: FakeClock, form: str) -> None:
    add_employee(core, answers={k: unicodedata.normalize("NFC", v) for k, v in ACCENTED.items()})
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    assert answer_questions(chat, clock, ACCENTED, form=form).endswith("[link]")


def test_a_wrong_accent_is_a_wrong_answer(app: Flask, core: Core, clock: FakeClock) -> None:
    add_employee(core, answers=ACCENTED)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say("E1001")
    unaccented = {k: v.replace("ü", "u").replace("É", "E").replace("ë", "e") for k, v in ACCENTED.items()}
    assert not answer_questions(chat, clock, unaccented, form="NFC").endswith("[link]")


@pytest.mark.parametrize("typed", ["Ｅ１００１", "ｅ１００１ｕｓｅｒ", "E1001".lower(), "Ｅ1001"])
def test_fullwidth_and_compatibility_forms_of_an_id_find_the_account(app: Flask, core: Core, typed: str) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    chat.say("reset")
    chat.say(typed)
    chat.say("email")
    assert emails_to(core, "e1001@example.com") == 1


def test_an_nfd_username_from_the_import_is_found_when_typed_in_nfc(core: Core) -> None:
    report = import_csv(core, "E77," + unicodedata.normalize("NFD", "renée.dupré") + ",Renée Dupré,,,,,,,,,")
    assert report.imported == 1
    account = core.directory.find(unicodedata.normalize("NFC", "Renée.Dupré"))
    assert account is not None and account.employee_id == "E77"


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


# -- Host header injection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        {"Forwarded": "host=evil.example;proto=https"},
        {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Original-Host": "evil.example"},
    ],
    ids=["host", "x-forwarded-host", "forwarded", "all"],
)
def test_a_forged_host_never_reaches_a_reset_link(client: FlaskClient, core: Core, headers: dict[str, str]) -> None:
    add_employee(core)

    def call(path: str, text: str | None = None) -> dict[str, Any]:
        response = client.post(path, json={} if text is None else {"text": text}, headers=headers)
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return dict(response.get_json())

    call("/api/chat/sessions")  # the test client keeps the session cookie
    for text in ("I forgot my password", "E1001", "email"):
        call("/api/chat/messages", text)
    replies = call("/api/chat/messages", last_outbox_code(core))["messages"]
    url = replies[-1]["link"]["url"]
    assert url.startswith(core.settings.public_url + "/reset/") and "evil" not in url
    with core.database.transaction() as session_:
        bodies = " ".join(session_.scalars(select(OutboxMessage.body)).all())
    assert "evil" not in bodies


# -- CSRF ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong-token", "other-session"])
def test_csrf_on_the_reset_form(app: Flask, core: Core, token: str | None) -> None:
    client, path, _ = reset_page(app, core)
    if token == "other-session":  # a real token, from the attacker's own session
        token = csrf_of(app.test_client().get("/demo/login").get_data(as_text=True))
    form = {"password": STRONG, "confirmation": STRONG} | ({} if token is None else {"csrf_token": token})
    assert client.post(FORM_PATH, data=form).status_code == 400
    headers = {} if token is None else {"X-CSRF-Token": token}
    assert client.post(FORM_PATH + "/check", json={"password": STRONG}, headers=headers).status_code == 400
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])
    account = core.directory.find("E1001")
    assert account is not None and core.directory.verify_password(account.id, OLD_PASSWORD)


CONSOLE_POSTS = [
    ("take", {}),
    ("send-link", {"reason": "Verified by video call"}),
    ("send-code", {"method": "email", "reason": "Verified by video call"}),
    ("close", {"outcome": "resolved"}),
    ("api-message", {"text": "Hi from IT"}),
    ("logout", {}),
]


@pytest.mark.parametrize("token", [None, "wrong-token", "other-session"])
@pytest.mark.parametrize("action, form", CONSOLE_POSTS, ids=[a for a, _ in CONSOLE_POSTS])
def test_csrf_on_every_console_post(
    app: Flask, core: Core, clock: FakeClock, action: str, form: dict[str, str], token: str | None
) -> None:
    chat, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    if action != "take":
        assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    clock.advance(61)
    if token == "other-session":
        token = csrf_of(app.test_client().get("/agent/login").get_data(as_text=True))
    state = snapshot(core)
    if action == "api-message":
        headers = {} if token is None else {"X-CSRF-Token": token}
        response = agent.post(f"/agent/api/tickets/{reference}/messages", json=form, headers=headers)
    else:
        path = "/agent/logout" if action == "logout" else f"/agent/tickets/{reference}/{action}"
        response = agent.post(path, data=form | ({} if token is None else {"csrf_token": token}))
    assert response.status_code == 400
    assert snapshot(core) == state and chat.poll() == []
    assert agent.get("/agent").status_code == 200  # still signed in


def snapshot(core: Core) -> tuple[Any, ...]:
    deliver_queued(core)
    with core.database.transaction() as session:
        tickets = sorted((t.reference, t.status, t.agent_id) for t in session.scalars(select(HandoffTicket)))
    return (
        tuple(tickets),
        rows(core, TicketMessage),
        rows(core, OutboxMessage),
        rows(core, ResetToken),
        rows(core, AuditEvent),
    )


def test_csrf_on_console_sign_in(app: Flask, core: Core) -> None:
    core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
    victim = app.test_client()
    victim.get("/agent/login")
    for token in (None, "wrong-token"):
        form = {"username": "sam", "password": AGENT_PASSWORD} | ({} if token is None else {"csrf_token": token})
        assert victim.post("/agent/login", data=form).status_code == 400
    assert victim.get("/agent").status_code == 302  # not signed in (no login CSRF)


# -- the reset page's referrer and resources ----------------------------------------------------------------


def test_the_reset_page_leaks_no_referrer_and_loads_nothing_from_elsewhere(app: Flask, core: Core) -> None:
    client, _, csrf = reset_page(app, core)
    pages = [client.get(FORM_PATH), client.get("/reset/not-a-real-token")]
    pages.append(client.post(FORM_PATH, data={"csrf_token": csrf, "password": STRONG, "confirmation": STRONG}))
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="referrer" content="no-referrer">' in html
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "http" not in csp and "*" not in csp
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', html):
            assert url.startswith("/") and not url.startswith("//"), url  # same origin only
        assert "<iframe" not in html and "@import" not in html and "url(" not in html

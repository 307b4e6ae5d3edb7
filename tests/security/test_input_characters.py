"""Hostile input, odd characters: NUL, CR and LF, right-to-left and zero-width marks, emoji, other Unicode
normal forms and fullwidth look-alikes, in identifiers, answers, console and demo fields and CSV imports."""

from __future__ import annotations

import unicodedata

import pytest
from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient, csrf_of
from tests.channels.test_agent_console import person_asks_for_a_human, sign_in
from tests.core.conftest import add_employee
from tests.support import FakeClock
from tests.support.hostile_input import ACCENTED, METHODS, UNREADABLE, answer_questions, emails_to, import_csv

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

"""Masking in the web chat (issue 15): only what could be a secret is masked, in the reply to the page and in
the stored history a reload shows; a code or an answer never reaches either."""

from __future__ import annotations

from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient
from tests.core.conftest import ANSWERS, add_employee, last_outbox_code
from tests.dialogs.conftest import answer_for


def _said(app: Flask, chat: ChatClient) -> list[str]:
    history = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer()).get_json()
    return [m["text"] for m in history["messages"] if m["from"] == "person"]


def _post(chat: ChatClient, text: str) -> str:
    response = chat.client.post("/api/chat/messages", json={"text": text})
    assert response.status_code == 200
    return str(response.get_json()["person_text"])


def test_at_the_code_prompt_only_a_code_is_masked(app: Flask, core: Core) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    for line in ("I forgot my password", "E1001", "email"):
        chat.say(line)
    assert [_post(chat, t) for t in ("help", "12 34", "another way")] == ["help", "[redacted]", "another way"]
    chat.say("email")
    code = last_outbox_code(core)
    assert _post(chat, code) == "[redacted]"
    said = _said(app, chat)
    assert said[-5:] == ["help", "[redacted]", "another way", "email", "[redacted]"]
    assert code not in repr(said)


def test_at_a_question_answers_are_masked_and_commands_are_not(app: Flask, core: Core) -> None:
    add_employee(core)
    chat = ChatClient(app.test_client())
    for line in ("I forgot my password", "E1001"):
        chat.say(line)
    chat.say("questions")
    assert _post(chat, "help") == "help"
    assert _post(chat, "Secret agent") == "[redacted]"  # an answer, though it says "agent"
    chat.say("restart")
    for line in ("I forgot my password", "E1001"):
        chat.say(line)
    question = chat.say("questions")[-1]["text"]
    answer = answer_for(question, ANSWERS)
    assert _post(chat, answer) == "[redacted]"
    assert _post(chat, "another way") == "another way"
    said = _said(app, chat)
    assert said[-2:] == ["[redacted]", "another way"]
    assert "help" in said and "Secret agent" not in said and answer not in said

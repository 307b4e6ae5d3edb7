"""In-chat enrollment through the web chat's HTTP API: unlock, add a mobile with the code texted to it, and the
history the widget replays keeps that code masked."""

from __future__ import annotations

from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient
from tests.core.conftest import add_employee, last_outbox_code


def test_the_web_chat_adds_a_mobile_after_an_unlock(app: Flask, core: Core) -> None:
    account = add_employee(core, "E3001", phone="", answers={})
    chat = ChatClient(app.test_client())
    chat.say("my account is locked")
    chat.say("E3001")
    chat.say("email")
    replies = chat.say(last_outbox_code(core, "email"))
    assert replies[0]["text"].startswith("Your account is unlocked.")
    offer = replies[-1]
    assert offer["text"] == "Add a backup way to verify you, so next time is quicker?"
    assert {"label": "Add a mobile number", "value": "add mobile"} in offer["choices"]

    chat.say("add mobile")
    replies = chat.say("+44 7700 900123")
    assert replies[-1]["expects"] == "code"  # the widget masks the field and shows a keypad
    code = last_outbox_code(core, "sms")
    replies = chat.say(code)
    assert "your mobile number is saved" in replies[0]["text"]
    assert [c.kind.value for c in core.enrollment.methods(account).contacts] == ["sms", "email"]

    history = app.test_client().get("/api/chat/messages?after=0", headers=chat.bearer()).get_json()
    said = [m["text"] for m in history["messages"] if m["from"] == "person"]
    assert said[-1] == "[redacted]" and code not in repr(history)

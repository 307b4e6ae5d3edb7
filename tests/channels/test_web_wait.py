"""The chat API's side of a resend asked for too soon: the reply carries `wait_seconds` for the countdown, and
a "Send again" choice; pressed early it answers with the seconds left, never an error."""

from __future__ import annotations

from flask import Flask

from app import Core
from tests.channels.conftest import ChatClient
from tests.core.conftest import add_employee
from tests.support import FakeClock


def test_a_resend_too_soon_carries_wait_seconds_and_a_send_again_choice(
    app: Flask, core: Core, clock: FakeClock
) -> None:
    add_employee(core, "E1001")
    chat = ChatClient(app.test_client())
    for text in ("I forgot my password", "E1001"):
        chat.say(text)
    sent = chat.say("email")[-1]
    assert "wait_seconds" not in sent  # only set when there is a wait
    assert sent["text"].startswith("I've sent a 6-digit code to e•••@example.com.")

    clock.advance(seconds=20)
    waiting = chat.say("resend")[-1]
    assert waiting["wait_seconds"] == 40
    assert waiting["expects"] == "code"
    assert waiting["text"].endswith("You can ask for a new code in 40 seconds.")
    assert waiting["choices"][0] == {"label": "Send again", "value": "resend"}

    clock.advance(seconds=15)
    early = chat.say("resend")[-1]  # the button pressed before the countdown is over
    assert (early["wait_seconds"], early["choices"][0]["value"]) == (25, "resend")
    assert "didn't get that" not in early["text"]

    clock.advance(seconds=25)
    again = chat.say("resend")[-1]
    assert "wait_seconds" not in again
    assert again["text"].startswith("I've sent a 6-digit code to e•••@example.com.")

"""Buttons never vanish (issue 15): a reply that leaves the person at a step with choices offers them again,
after an error (a wrong or malformed code, a misunderstanding) and after a help reply, in every such state."""

from __future__ import annotations

import pytest

from bot.messages import Inbound
from tests.dialogs.conftest import Chat
from tests.dialogs.test_global_commands import drive

METHODS = ["sms", "email", "questions", "none"]
NEED = ["reset", "unlock", "other", "agent"]
CODE = ["resend", "another way"]

# state -> what is typed there -> the buttons that must come back (and the input kind kept)
CASES = [
    ("need", "help", NEED, "text"),
    ("need", "banana", NEED, "text"),
    ("choose_method", "help", METHODS, "text"),
    ("choose_method", "purple", METHODS, "text"),
    ("choose_method", "123456", METHODS, "text"),
    ("choose_method", "hello", METHODS, "text"),
    ("enter_code", "help", CODE, "code"),
    ("enter_code", "000000", CODE, "code"),  # a wrong code
    ("enter_code", "1234", CODE, "code"),  # a malformed one
    ("enter_code", "purple", CODE, "code"),
    ("enter_code", "hi", CODE, "code"),
    ("awaiting_reset", "help", ["new link"], "text"),
]


@pytest.mark.parametrize(("state", "typed", "buttons", "expects"), CASES)
def test_the_steps_buttons_come_back(
    chat: Chat, employee: int, state: str, typed: str, buttons: list[str], expects: str
) -> None:
    drive(chat, state)
    chat.say(typed)
    assert chat.state == state
    assert chat.choice_values == buttons, chat.text
    assert chat.last.expects == expects


def test_the_proposed_account_buttons_come_back_after_help(chat: Chat, employee: int) -> None:
    hint = {"workspace_email": "e1001@example.com"}  # Slack proposes the account of the profile's email
    chat.replies = chat.engine.handle(Inbound("slack", "U1", "I forgot my password", meta=hint))
    assert chat.choice_values == ["yes", "no"]
    chat.replies = chat.engine.handle(Inbound("slack", "U1", "help", meta=hint))
    assert chat.choice_values == ["yes", "no"]


def test_at_the_link_limit_the_ways_on_are_buttons(chat: Chat, employee: int) -> None:
    drive(chat, "awaiting_reset")
    for _ in range(3):
        chat.say("new link")
    assert chat.last.text.startswith("I can't send more links for this check.")
    assert chat.choice_values == ["restart", "agent"]
    chat.say("restart")
    assert chat.state == "need"

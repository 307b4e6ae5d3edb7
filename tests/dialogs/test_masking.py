"""Only what could be a secret is masked (issue 15): in the transcript, and in what a channel may delete."""

from __future__ import annotations

import pytest

from bot.messages import Inbound
from tests.dialogs.conftest import Chat
from tests.dialogs.test_global_commands import drive


def _said(chat: Chat) -> list[str]:
    return [str(entry["text"]) for entry in chat.conversation().transcript if entry["from"] == "person"]


def test_only_a_masked_message_counts_as_a_secret_a_channel_deletes(chat: Chat, employee: int) -> None:
    drive(chat, "enter_code")
    help_turn = chat.engine.turn(Inbound("web", chat.user_id, "help"))
    assert (help_turn.person_text, help_turn.answered_secret) == ("help", False)  # Telegram keeps it on screen
    code_turn = chat.engine.turn(Inbound("web", chat.user_id, chat.code()))
    assert (code_turn.person_text, code_turn.answered_secret) == ("[redacted]", True)


@pytest.mark.parametrize("typed", ["help", "resend", "another way", "agent"])
def test_a_command_at_the_code_prompt_is_kept_as_typed(chat: Chat, employee: int, typed: str) -> None:
    drive(chat, "enter_code")
    chat.say(typed)
    assert _said(chat)[-1] == typed


@pytest.mark.parametrize("typed", ["123456", "12 34 56", "my code is 123456", "12345o"])
def test_anything_with_a_digit_at_the_code_prompt_is_masked_whole(chat: Chat, employee: int, typed: str) -> None:
    drive(chat, "enter_code")
    chat.say(typed)
    assert _said(chat)[-1] == "[redacted]"


@pytest.mark.parametrize(("typed", "kept"), [("help", "help"), ("another way", "another way"), ("cancel", "cancel"),
                                             ("Fluffy", "[redacted]"), ("Secret agent", "[redacted]")])  # fmt: skip
def test_at_a_question_only_a_command_is_kept(chat: Chat, employee: int, typed: str, kept: str) -> None:
    drive(chat, "answer_questions")
    chat.say(typed)
    assert _said(chat)[-1] == kept

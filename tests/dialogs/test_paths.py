"""The paths through recovery that succeed, as conversations: each method to success for reset and unlock,
switching method, and the confirmation after the reset page is done."""

from __future__ import annotations

import pytest

from core.types import ResetStatus
from tests.dialogs.conftest import NEW_PASSWORD, Chat, ChatFactory, add_employee
from tests.dialogs.paths_support import UNLOCKED, VERIFIED_RESET, verify

# -- each method to success -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["email", "sms", "questions"])
def test_reset_by_each_method_ends_with_a_reset_link(chat: Chat, employee: int, method: str) -> None:
    chat.say("I forgot my password")
    assert chat.last.text == "What is your employee ID or username?"
    chat.say("E1001")
    assert chat.last.text == "How would you like to confirm it's you?"
    assert chat.choice_values == ["sms", "email", "questions", "none"]

    verify(chat, method)

    assert chat.last.text.startswith(VERIFIED_RESET)
    assert "expires in 15 minutes" in chat.last.text
    assert chat.last.link is not None
    assert chat.last.link.label == "Set a new password"
    assert chat.last.link.url.startswith("http://127.0.0.1:5000/reset/")
    assert chat.core.recovery.link_is_valid(chat.reset_token())
    assert chat.state == "awaiting_reset"


@pytest.mark.parametrize("method", ["email", "sms", "questions"])
def test_unlock_by_each_method_unlocks_the_account_without_a_link(chat: Chat, employee: int, method: str) -> None:
    chat.core.directory.set_locked(employee, True)
    chat.say("I'm locked out")
    assert chat.last.text == "What is your employee ID or username?"
    chat.say("E1001")

    verify(chat, method)

    assert chat.last.text.startswith(UNLOCKED)
    assert all(reply.link is None for reply in chat.replies)
    account = chat.core.directory.get(employee)
    assert account is not None and not account.locked
    assert chat.state == "done"


def test_username_identifies_as_well_as_the_employee_id(chat: Chat, employee: int) -> None:
    chat.reach_methods("E1001USER")  # usernames are matched case-insensitively
    verify(chat, "email")
    assert chat.last.text.startswith(VERIFIED_RESET)


# -- switching method -----------------------------------------------------------------------------------


def test_switch_from_a_code_to_the_questions(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("email")
    chat.say("another way")
    assert chat.last.text == "How would you like to confirm it's you?"
    assert chat.choice_values == ["sms", "email", "questions", "none"]
    verify(chat, "questions")
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_switch_from_the_questions_to_a_code(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    chat.say("another way")
    assert chat.last.text == "How would you like to confirm it's you?"
    verify(chat, "sms")
    assert chat.last.text.startswith(VERIFIED_RESET)


# -- after verification ---------------------------------------------------------------------------------


def test_the_chat_confirms_when_the_reset_page_is_done(chat: Chat, employee: int) -> None:
    chat.verify_by_email()
    chat.say("ok")
    assert chat.last.text.startswith("Waiting for you to set your new password on the secure page.")

    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status is ResetStatus.DONE

    chat.say("done?")
    assert chat.last.text.startswith("Your password has been changed. You can sign in to the employee portal now.")
    assert chat.state == "done"
    assert chat.core.directory.verify_password(employee, NEW_PASSWORD)

    chat.say("I'm locked out")  # and anything else starts a new recovery
    assert chat.last.text == "What is your employee ID or username?"


def test_the_reset_page_can_confirm_in_the_chat_at_once(chat: Chat, employee: int) -> None:
    """A channel that can push gets the confirmation without waiting for the person's next message."""
    chat.verify_by_email()
    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    pushed = chat.engine.reset_completed(outcome)
    assert [reply.text for reply in pushed] == [
        "Your password has been changed. You can sign in to the employee portal now. Anything else I can help with?"
    ]
    assert chat.state == "done"
    assert chat.engine.reset_completed(outcome) == []  # confirmed once

    chat.say("unlock my account too")
    assert chat.last.text == "What is your employee ID or username?"


def test_new_link_replaces_the_old_one(chat: Chat, employee: int) -> None:
    chat.verify_by_email()
    old = chat.reset_token()
    chat.say("the link expired, send a new link")
    assert chat.last.text.startswith(VERIFIED_RESET)
    new = chat.reset_token()
    assert new != old
    assert chat.core.recovery.link_is_valid(new)
    assert chat.core.recovery.complete_reset(new, NEW_PASSWORD, NEW_PASSWORD).status is ResetStatus.DONE
    chat.say("thanks")
    assert chat.last.text.startswith("Your password has been changed.")


def test_strict_policy_asks_for_questions_after_a_code(make_chat: ChatFactory) -> None:
    chat = make_chat(policy="strict")
    add_employee(chat.core, "E1001")
    chat.reach_methods()
    assert chat.choice_values == ["email", "sms", "none"]  # email before SMS, questions only as a second step
    chat.say("email")
    chat.say(chat.code())
    assert chat.last.text == "One more step: please answer your security questions."
    assert chat.choice_values == ["questions", "none"]
    verify(chat, "questions")
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_the_identifier_turn_reads_the_options_once(chat: Chat, employee: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # read_identifier checks the options (lock, nothing on file) and offer_methods shows the same ones.
    calls: list[str] = []
    options = chat.core.recovery.options
    monkeypatch.setattr(chat.core.recovery, "options", lambda handle: calls.append(handle) or options(handle))
    chat.say("I forgot my password")
    chat.say("E1001")
    assert chat.choice_values == ["sms", "email", "questions", "none"]
    assert len(calls) == 1

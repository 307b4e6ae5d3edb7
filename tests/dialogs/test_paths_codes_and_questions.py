"""The verification steps, as conversations: wrong, expired, resent and used-up codes, codes typed in
any shape, and wrong, right and normalised answers to the questions."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import Chat, answer_for, outbox_count
from tests.dialogs.paths_support import (
    CODE_BY_EMAIL,
    CODE_METHODS,
    VERIFIED_RESET,
    verify,
)
from tests.support import FakeClock

# -- codes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["email", "sms"])
def test_wrong_code_then_right_code(chat: Chat, employee: int, method: str) -> None:
    chat.reach_methods()
    chat.say(method)
    real = chat.code(CODE_METHODS[method][1])
    wrong = "000000" if real != "000000" else "111111"

    chat.say(wrong)
    assert chat.last.text == "That code isn't right. You have 4 more tries with this code."
    assert chat.last.expects == "code"
    chat.say(wrong)
    assert chat.last.text == "That code isn't right. You have 3 more tries with this code."

    chat.say(real)
    assert chat.last.text.startswith(VERIFIED_RESET)


@pytest.mark.parametrize("shape", ["123 456", "123-456", "1 2 3 4 5 6", " 123456 ", "12-34-56", "123.456"])
def test_codes_typed_with_spaces_or_dashes_are_accepted(chat: Chat, employee: int, shape: str) -> None:
    chat.reach_methods()
    chat.say("email")
    digits = iter(chat.code())
    chat.say("".join(next(digits) if ch.isdigit() else ch for ch in shape))
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_something_that_is_not_a_code_is_not_counted_as_a_try(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("email")
    chat.say("12345")
    assert chat.last.text == "That doesn't look like a 6-digit code. Type just the digits (spaces are fine)."
    assert chat.last.expects == "code"
    chat.say("000000" if chat.code() != "000000" else "111111")
    assert "4 more tries" in chat.last.text


def test_expired_code_is_refused_and_a_new_one_can_be_sent(chat: Chat, employee: int, clock: FakeClock) -> None:
    chat.reach_methods()
    chat.say("email")
    old = chat.code()
    clock.advance(minutes=11)

    chat.say(old)
    assert chat.last.text.startswith("That code has expired or was replaced.")
    assert chat.choice_values == ["resend", "another way"]

    chat.say("resend")
    assert chat.last.text.startswith(CODE_BY_EMAIL)
    chat.say(chat.code())
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_resend_replaces_the_code_and_keeps_the_tries_spent(chat: Chat, employee: int, clock: FakeClock) -> None:
    chat.reach_methods()
    chat.say("email")
    first = chat.code()
    chat.say("000000" if first != "000000" else "111111")
    sent = outbox_count(chat.core)

    chat.say("resend")
    pending = "I sent you a code a moment ago to e•••@example.com: type it here. "
    assert chat.last.text == pending + "You can ask for a new code in 60 seconds."
    assert chat.last.wait_seconds == 60
    clock.advance(seconds=30)
    chat.say("I didn't get it")
    assert chat.last.text == pending + "You can ask for a new code in 30 seconds."
    assert outbox_count(chat.core) == sent

    clock.advance(seconds=31)
    chat.say("send it again")
    assert chat.last.text.startswith(CODE_BY_EMAIL)
    assert outbox_count(chat.core) == sent + 1
    second = chat.code()

    if second != first:  # one chance in a million they are the same
        chat.say(first)  # the replaced code no longer works: it is a wrong try at the new one
        assert chat.last.text == "That code isn't right. You have 3 more tries with this code."  # resend bought none
    chat.say(second)
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_five_wrong_codes_use_the_code_up_and_the_person_chooses_again(
    chat: Chat, employee: int, clock: FakeClock
) -> None:
    chat.reach_methods()
    chat.say("email")
    wrong = "000000" if chat.code() != "000000" else "111111"
    for _ in range(5):
        chat.say(wrong)
    assert chat.replies[0].text == "That code has had too many wrong tries. Let's try again."
    assert chat.last.text == "How would you like to confirm it's you?"
    clock.advance(seconds=61)  # codes are at least 60 s apart, whatever the method
    verify(chat, "sms")
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_the_last_wrong_try_does_not_ask_for_the_same_code_again(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("email")
    wrong = "000000" if chat.code() != "000000" else "111111"
    for _ in range(5):
        chat.say(wrong)
    assert "0 more tries" not in chat.text
    assert chat.last.choices, "after the last try the person needs a way on (resend, another way)"


def test_a_used_up_method_is_not_offered_again(chat: Chat, employee: int, clock: FakeClock) -> None:
    # A resend inherits the spent tries, so offering that method again could never succeed.
    chat.reach_methods()
    chat.say("email")
    wrong = "000000" if chat.code() != "000000" else "111111"
    for _ in range(5):
        chat.say(wrong)
    assert chat.last.text == "How would you like to confirm it's you?"
    assert chat.choice_values == ["sms", "questions", "none"]
    clock.advance(seconds=61)
    verify(chat, "sms")
    assert chat.last.text.startswith(VERIFIED_RESET), chat.text


# -- questions ------------------------------------------------------------------------------------------


def test_wrong_answers_then_right_answers(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    first_question = chat.last.text
    chat.say("Wrong answer one")
    assert chat.last.text.startswith("Question 2 of 2: ")
    chat.say("Wrong answer two")
    assert chat.replies[0].text == (
        "Those answers didn't match what's on file. Let's try again from the first question. "
        "You have 9 more attempts before self-service is paused."
    )
    assert chat.last.text == first_question  # the same questions are asked again
    chat.answer_questions()
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_wrong_answers_never_say_which_one_was_wrong(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    chat.say(answer_for(chat.last.text))  # first right
    chat.say("not it")  # second wrong
    first_wrong_second = chat.text
    chat.say("not it")  # first wrong
    chat.say(answer_for(chat.last.text))  # second right
    first_wrong_first = chat.text
    # The same words either way; only the count of attempts left moves on.
    assert first_wrong_second.replace("9 more", "N more") == first_wrong_first.replace("8 more", "N more")
    assert "Those answers didn't match" in first_wrong_first


def test_answers_are_normalised(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    while chat.last.text.startswith("Question"):
        chat.say("  " + answer_for(chat.last.text).upper().replace(" ", "   ") + " ")
    assert chat.last.text.startswith(VERIFIED_RESET)

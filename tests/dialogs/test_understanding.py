"""Free text, as people type it: phrases, numbers, button labels, case and typos, at each step."""

from __future__ import annotations

import pytest

from core.types import Purpose
from tests.dialogs.conftest import Chat, add_employee

ASK_ID = "What is your employee ID or username?"
GREETED = "Hi, I'm ResetDesk. I can help you get back into the employee portal. What do you need?"
CODE_BY_EMAIL = "I've sent a 6-digit code to e•••@example.com."
CODE_BY_SMS = "I've texted a 6-digit code to the phone ending 01."


# -- the first message ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password",
        "I forgot my pasword",
        "i FORGOT my PASSWORD!!",
        "reset",
        "Reset my password please",
        "resett pasword",
        "I can't log in",
        "I can’t sign in",  # a typographic apostrophe
        "my password expired",
        "need a new password",
    ],
)
def test_first_message_asking_for_a_reset(chat: Chat, text: str) -> None:
    chat.say(text)
    assert chat.text == ASK_ID
    assert chat.conversation().slots["purpose"] == Purpose.RESET.value


@pytest.mark.parametrize(
    "text",
    ["locked out", "I'm LOCKED OUT", "my account is locked", "unlock my account", "unlcok my acount", "blocked"],
)
def test_first_message_asking_to_unlock(chat: Chat, text: str) -> None:
    chat.say(text)
    assert chat.text == ASK_ID
    assert chat.conversation().slots["purpose"] == Purpose.UNLOCK.value


@pytest.mark.parametrize("text", ["hi", "Hello", "good morning", "1"])
def test_a_first_message_without_a_need_is_greeted_with_the_menu(chat: Chat, text: str) -> None:
    chat.say(text)
    assert chat.text == GREETED
    assert chat.last.choices == (
        ("Reset my password", "reset"),
        ("Unlock my account", "unlock"),
        ("Something else", "other"),
        ("Talk to a person", "agent"),
    )


# -- the menu -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("1", "reset"),
        ("2", "unlock"),
        (" 2. ", "unlock"),
        ("reset", "reset"),
        ("Reset my password", "reset"),
        ("reset my pasword", "reset"),
        ("unlock", "unlock"),
        ("Unlock my account", "unlock"),
        ("UNLOCK MY ACOUNT", "unlock"),
        ("I'm locked out", "unlock"),
        ("forgot it", "reset"),  # "forget it" cancels; "forgot it" does not
    ],
)
def test_menu_picks_by_number_label_value_or_words(chat: Chat, text: str, purpose: str) -> None:
    chat.say("hi")
    chat.say(text)
    assert chat.text == ASK_ID
    assert chat.conversation().slots["purpose"] == purpose


@pytest.mark.parametrize("text", ["3", "something else", "Something els"])
def test_menu_something_else_points_to_support(chat: Chat, text: str) -> None:
    chat.say("hi")
    chat.say(text)
    assert chat.text.startswith("I can only reset passwords and unlock accounts.")
    assert chat.state == "need"
    assert [value for _, value in chat.last.choices] == ["reset", "unlock", "other", "agent"]


@pytest.mark.parametrize("text", ["4", "Talk to a person"])
def test_menu_talk_to_a_person_hands_off(chat: Chat, text: str) -> None:
    chat.say("hi")
    chat.say(text)
    assert chat.last.text.startswith("I've passed you to IT support: ticket RD-")


# -- the identifier -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "who are you?", "I forgot my password yesterday", "x"])
def test_an_unreadable_identifier_is_asked_again(chat: Chat, employee: int, text: str) -> None:
    chat.say("reset")
    chat.say(text)
    assert chat.text == "I couldn't read that. Please type your employee ID (like E1234) or your username."
    assert chat.state == "identify"


@pytest.mark.parametrize("text", ["E1001", "e1001", "  E1001  ", "e1001user", "E1001USER"])
def test_identifiers_in_any_case_with_spaces_around(chat: Chat, employee: int, text: str) -> None:
    chat.say("reset")
    chat.say(text)
    assert chat.last.text == "How would you like to confirm it's you?"


# -- the method -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", CODE_BY_SMS),
        ("sms", CODE_BY_SMS),
        ("SMS", CODE_BY_SMS),
        ("text me", CODE_BY_SMS),
        ("Text me a code (SMS)", CODE_BY_SMS),
        ("text me a cod", CODE_BY_SMS),
        ("by text please", CODE_BY_SMS),
        ("my phone", CODE_BY_SMS),
        ("2", CODE_BY_EMAIL),
        ("email", CODE_BY_EMAIL),
        ("Email", CODE_BY_EMAIL),
        ("e-mail", CODE_BY_EMAIL),
        ("emial", CODE_BY_EMAIL),
        ("Email me a code", CODE_BY_EMAIL),
        ("send it to my inbox", CODE_BY_EMAIL),
        ("3", "Question 1 of 2: "),
        ("questions", "Question 1 of 2: "),
        ("security questions", "Question 1 of 2: "),
        ("qestions", "Question 1 of 2: "),
        ("Answer my security questions", "Question 1 of 2: "),
    ],
)
def test_method_picks_by_number_label_or_words(chat: Chat, employee: int, text: str, expected: str) -> None:
    chat.reach_methods()
    chat.say(text)
    assert chat.last.text.startswith(expected), chat.text
    if expected == CODE_BY_SMS:
        assert chat.code("sms")
    elif expected == CODE_BY_EMAIL:
        assert chat.code("email")


def test_numbers_follow_the_methods_offered(chat: Chat) -> None:
    add_employee(chat.core, "E1001", phone=None)  # email and questions only
    chat.reach_methods()
    assert [value for _, value in chat.last.choices] == ["email", "questions", "none"]
    chat.say("1")
    assert chat.last.text.startswith(CODE_BY_EMAIL)


def test_a_method_not_on_file_is_not_understood(chat: Chat) -> None:
    add_employee(chat.core, "E1001", phone=None, answers={})  # email only
    chat.reach_methods()
    chat.say("text me")
    assert chat.last.text.startswith("Sorry, I didn't get that.")
    assert [value for _, value in chat.last.choices] == ["email", "none"]


# -- at the code prompt ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["resend", "Resend the code", "send it again", "I didn't get it", "new code pls"])
def test_resend_phrases(chat: Chat, employee: int, clock, text: str) -> None:  # type: ignore[no-untyped-def]
    chat.reach_methods()
    chat.say("email")
    clock.advance(seconds=61)
    chat.say(text)
    assert chat.last.text.startswith(CODE_BY_EMAIL)
    assert chat.last.expects == "code"


@pytest.mark.parametrize("text", ["another way", "Another way", "switch", "use a different method"])
def test_switch_phrases(chat: Chat, employee: int, text: str) -> None:
    chat.reach_methods()
    chat.say("email")
    chat.say(text)
    assert chat.last.text == "How would you like to confirm it's you?"


@pytest.mark.parametrize("text", ["another way", "different method"])
def test_switch_phrases_at_a_question(chat: Chat, employee: int, text: str) -> None:
    chat.reach_methods()
    chat.say("questions")
    chat.say(text)
    assert chat.last.text == "How would you like to confirm it's you?"


@pytest.mark.parametrize("tricky", ["Otter", "Back Lane", "Brother"])
def test_answers_that_look_like_switch_words_are_judged_as_answers(chat: Chat, tricky: str) -> None:
    answers = {"first_pet": tricky, "birth_city": tricky, "childhood_street": tricky}
    add_employee(chat.core, "E1001", answers=answers)
    chat.reach_methods()
    chat.say("questions")
    chat.say(tricky)
    assert chat.last.text.startswith("Question 2 of 2: ")
    chat.say(tricky)
    assert chat.last.text.startswith("Thanks, you're verified.")


def test_text_me_instead_at_the_code_prompt_sends_an_sms_code(chat: Chat, employee: int, clock) -> None:  # type: ignore[no-untyped-def]
    chat.reach_methods()
    chat.say("email")
    clock.advance(seconds=61)
    chat.say("text me instead")
    assert "texted a 6-digit code" in chat.last.text and chat.last.expects == "code"

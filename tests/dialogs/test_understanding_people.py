"""How the conversation reads people (issue 15): an email or phone number as the identifier, greetings, an
identifier inside a sentence, a name instead of an ID, a first message that says it all, and a code typed
before one is asked for."""

from __future__ import annotations

import pytest

from core.types import Purpose
from tests.dialogs.conftest import Chat, ChatFactory, add_employee, outbox_count
from tests.dialogs.paths_support import CODE_BY_EMAIL, CODE_BY_SMS, VERIFIED_RESET
from tests.dialogs.test_privacy import seen
from tests.support import FakeClock

ASK_ID = "What is your employee ID or username?"
CHOOSE = "How would you like to confirm it's you?"
GREETED = "Hi, I'm ResetDesk. I can help you get back into the employee portal. What do you need?"

NAME_REPLY = (
    "I can't look people up by name. Please type your employee ID (like E1234), your username or your work email."
)
METHODS = ["sms", "email", "questions", "none"]
NEED_VALUES = ["reset", "unlock", "other", "agent"]


# -- an email address or a phone number as the identifier ------------------------------------------------


@pytest.mark.parametrize("typed", ["e1001@example.com", "E1001@Example.COM", "my email is E1001@example.com"])
def test_an_email_address_identifies_like_the_employee_id(chat: Chat, employee: int, typed: str) -> None:
    chat.say("I forgot my password")
    chat.say(typed)
    assert chat.last.text == CHOOSE
    chat.say("email")
    assert chat.last.text.startswith(CODE_BY_EMAIL)
    chat.say(chat.code("email"))  # a code really went to the account's address
    assert chat.last.text.startswith(VERIFIED_RESET)


@pytest.mark.parametrize("typed", ["+1 (202) 555-0177", "202 555 0177", "+12025550177"])
def test_a_phone_number_identifies_like_the_employee_id(chat: Chat, typed: str) -> None:
    add_employee(chat.core, "E1001", phone="+12025550177")
    add_employee(chat.core, "E1002", phone="+12025550188")
    chat.reach_methods(typed)
    chat.say("sms")
    assert chat.last.text.startswith(CODE_BY_SMS.replace("ending 01", "ending 77"))  # E1001's number here
    chat.say(chat.code("sms"))
    assert chat.last.text.startswith(VERIFIED_RESET)


@pytest.mark.parametrize("unknown", ["nobody@example.com", "shared@example.com", "+1 202 555 0199"])
def test_an_unknown_or_shared_email_or_number_gets_the_replies_a_known_one_gets(
    make_chat: ChatFactory, clock: FakeClock, unknown: str
) -> None:
    real, probe = make_chat(user_id="real"), make_chat(user_id="probe")
    add_employee(real.core, "E1001")
    add_employee(real.core, "E1002", email="shared@example.com")
    add_employee(real.core, "E1003", email="SHARED@example.com")
    for line in ["I forgot my password", "e1001@example.com", "email", "000000", "another way", "sms", "help"]:
        said = seen(real.say(line))
        assert seen(probe.say(unknown if line == "e1001@example.com" else line)) == said, line
    assert outbox_count(real.core) == 2  # the real person's email and SMS; the probe's went nowhere


# -- greetings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("greeting", ["hi", "hello", "Good morning!", "hey there"])
def test_a_greeting_after_the_menu_is_greeted_again(chat: Chat, greeting: str) -> None:
    chat.say("hi")  # the web chat greets on opening: the conversation is then at the menu
    chat.say(greeting)
    assert chat.text == GREETED
    assert chat.choice_values == NEED_VALUES
    assert chat.state == "need"


@pytest.mark.parametrize("greeting", ["hi", "hey there"])
def test_a_greeting_after_a_finished_recovery_starts_afresh(chat: Chat, employee: int, greeting: str) -> None:
    chat.verify_by_email(need="I'm locked out")
    assert chat.state == "done"
    chat.say(greeting)
    assert chat.text == GREETED


def test_a_greeting_when_the_id_is_asked_is_not_taken_for_a_username(chat: Chat, employee: int) -> None:
    chat.say("reset")
    chat.say("hello")
    assert chat.text == "Hello again. Type your employee ID or username. I'll never ask for your password."
    assert chat.state == "identify"


# -- the identifier in a sentence, and a name instead --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["my id is E1001", "my id is E1001 thanks", "It's e1001user", "I am e1001user", "I'm E1001, thanks",
     "E1001 is my employee ID", "hi, my username is e1001user", "e1001user please", "employee id: E1001"],
)  # fmt: skip
def test_an_identifier_inside_a_sentence_is_read(chat: Chat, employee: int, text: str) -> None:
    chat.say("I forgot my password")
    chat.say(text)
    assert chat.last.text == CHOOSE
    assert chat.choice_values == METHODS


@pytest.mark.parametrize("name", ["John Smith", "jordan example", "My name is Jane van Dyke", "I'm Mary-Jane O'Neil"])
def test_a_full_name_is_answered_with_a_request_for_the_id(chat: Chat, employee: int, name: str) -> None:
    chat.say("I forgot my password")
    for _ in range(3):  # understood, so never counted towards a hand-off
        chat.say(name)
        assert chat.text == NAME_REPLY
        assert chat.state == "identify"
    chat.say("E1001")
    assert chat.last.text == CHOOSE


# -- a first message that says it all -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "purpose"),
    [("I forgot my password, my ID is E1001", "reset"), ("locked out — e1001user", "unlock"),
     ("locked out - E1001", "unlock"), ("reset the password for e1001@example.com please", "reset")],
)  # fmt: skip
def test_a_first_message_with_the_need_and_the_identifier_goes_to_the_methods(
    chat: Chat, employee: int, first: str, purpose: str
) -> None:
    chat.say(first)
    assert chat.text == CHOOSE
    assert chat.choice_values == METHODS
    assert chat.conversation().slots["purpose"] == Purpose(purpose).value


def test_the_happy_path_takes_three_turns(chat: Chat, employee: int) -> None:
    chat.say("I forgot my password, my ID is E1001")
    chat.say("email")
    chat.say(chat.code("email"))
    assert chat.last.text.startswith(VERIFIED_RESET)
    assert len(chat.history) == 3


def test_the_menu_also_takes_the_need_and_the_identifier_at_once(chat: Chat, employee: int) -> None:
    chat.say("hi")
    chat.say("reset my password, it's e1001user")
    assert chat.text == CHOOSE


@pytest.mark.parametrize(
    "first", ["I forgot my password yesterday", "I'm locked out of SAP", "reset it please", "locked out for 10 days"]
)
def test_a_first_message_without_an_identifier_still_asks_for_it(chat: Chat, employee: int, first: str) -> None:
    chat.say(first)
    assert chat.text == ASK_ID


def test_an_unknown_identifier_in_the_first_message_gets_the_same_reply(make_chat: ChatFactory) -> None:
    real, probe = make_chat(user_id="real"), make_chat(user_id="probe")
    add_employee(real.core, "E1001")
    assert seen(real.say("I forgot my password, my ID is E1001")) == seen(
        probe.say("I forgot my password, my ID is E9999")
    )
    assert seen(real.say("email")) == seen(probe.say("email"))


# -- numbers and codes where no code is asked for -------------------------------------------------------


@pytest.mark.parametrize("typed", ["000002", "200000", "123456", "482 913", "02"])
def test_a_code_at_the_method_choice_is_never_an_option(chat: Chat, employee: int, typed: str) -> None:
    chat.reach_methods()
    sent = outbox_count(chat.core)
    chat.say(typed)
    assert chat.state == "choose_method"
    assert outbox_count(chat.core) == sent
    assert not chat.last.text.startswith("Question")


def test_a_code_at_the_method_choice_says_what_to_do_and_is_not_counted(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    for _ in range(4):
        chat.say("123456")
        assert chat.text == "If you have a code from me, choose the way you got it first, then type the code."
        assert chat.choice_values == METHODS
    assert chat.state == "choose_method"
    assert chat.conversation().slots.get("unclear", 0) == 0


def test_a_code_in_a_new_chat_leads_to_the_menu_and_is_not_counted(make_chat: ChatFactory, employee: int) -> None:
    first = make_chat(user_id="first-tab")
    first.reach_methods()
    first.say("email")
    code = first.code("email")
    second = make_chat(user_id="second-tab")  # a new chat within the resend spacing
    for _ in range(4):
        second.say(code)
        assert second.text.startswith("If you have a code from me, first tell me what you need;")
        assert second.text.endswith("What do you need?")
        assert second.choice_values == NEED_VALUES
    assert second.state == "need"
    assert "not_understood" not in [t.reason for t in [second.ticket()] if t is not None]

"""Help, cancel, restart and asking for a person work in every state; an idle conversation starts over; a
person the bot keeps misunderstanding is helped, then handed to support."""

from __future__ import annotations

import pytest

from core.types import ResetStatus
from tests.dialogs.conftest import NEW_PASSWORD, Chat
from tests.support import FakeClock

COMMANDS_HINT = 'You can say "cancel", "restart" or "agent" at any time.'
NEED_VALUES = ["reset", "unlock", "other", "agent"]


def drive(chat: Chat, state: str) -> None:
    """Bring E1001's conversation to `state` the way a person would."""
    if state == "idle":
        return
    if state == "need":
        chat.say("hi")
    elif state == "identify":
        chat.say("I forgot my password")
    elif state == "handoff":
        chat.say("I want to talk to a person")
    else:
        chat.reach_methods()
        if state == "enter_code":
            chat.say("email")
        elif state == "answer_questions":
            chat.say("questions")
        elif state in ("awaiting_reset", "done"):
            chat.say("email")
            chat.say(chat.code())
            if state == "done":
                done = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
                assert done.status is ResetStatus.DONE
                chat.say("thanks")
    assert chat.state == state


# What help says in each state (the part that is about that state).
HELP_SAYS = {
    "idle": '"reset my password", "unlock my account", or "talk to a person"',
    "need": "Pick one of the options",
    "identify": "Type your employee ID or username. I'll never ask for your password.",
    "choose_method": "Pick how to confirm it's you.",
    "enter_code": 'Type the code we sent you. Say "resend" for a new code or "another way" to switch.',
    "answer_questions": "Type the answer to the question.",
    "awaiting_reset": "Open the secure link to choose your new password.",
    "done": "Tell me if there's anything else",
    "handoff": "A person from IT support will reply here.",
}
STATES = list(HELP_SAYS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("help_text", ["help", "HELP", "?", "help me"])
def test_help_explains_the_current_step_and_stays_there(chat: Chat, employee: int, state: str, help_text: str) -> None:
    drive(chat, state)
    chat.say(help_text)
    assert len(chat.replies) == 1
    assert HELP_SAYS[state] in chat.last.text
    assert chat.last.text.endswith(COMMANDS_HINT)
    assert chat.state == state


def test_help_in_the_middle_of_a_code_does_not_lose_the_code(chat: Chat, employee: int) -> None:
    drive(chat, "enter_code")
    chat.say("help")
    chat.say(chat.code())
    assert chat.last.text.startswith("Thanks, you're verified.")


@pytest.mark.parametrize(
    ("state", "expects", "secret"), [("enter_code", "code", "482 913"), ("answer_questions", "secret", "Lyon")]
)
def test_help_keeps_the_secret_prompt_and_its_redaction(
    chat: Chat, employee: int, state: str, expects: str, secret: str
) -> None:
    drive(chat, state)
    chat.say("help")
    assert chat.last.expects == expects
    chat.say(secret)
    said = [entry["text"] for entry in chat.conversation().transcript if entry["from"] == "person"]
    assert said[-2:] == ["help", "[redacted]"]  # the command is not a secret; what follows it may be


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("cancel", ["cancel", "Stop", "never mind", "quit."])
def test_cancel_stops_in_every_state(chat: Chat, employee: int, state: str, cancel: str) -> None:
    drive(chat, state)
    chat.say(cancel)
    assert chat.text == "OK, I've stopped. Nothing was changed. Message me any time you need help."
    assert chat.state == "idle"
    assert chat.conversation().slots.get("handle") is None  # the recovery is let go
    chat.say("hello")
    assert chat.last.text.endswith("What do you need?")  # a fresh start


def test_cancel_drops_the_code_prompt(chat: Chat, employee: int) -> None:
    drive(chat, "enter_code")
    chat.say("cancel")
    chat.say(chat.code())  # the code typed after cancelling does not verify anything
    assert "verified" not in chat.text
    assert chat.last.text.endswith("What do you need?")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("restart", ["restart", "start over", "Start again", "/start"])
def test_restart_goes_back_to_the_first_question_in_every_state(
    chat: Chat, employee: int, state: str, restart: str
) -> None:
    drive(chat, state)
    chat.say(restart)
    if state in ("idle", "done"):  # nothing under way: a plain greeting (Telegram sends /start on a first visit)
        assert chat.text == "Hi, I'm ResetDesk. I can help you get back into the employee portal. What do you need?"
    else:
        assert chat.text == "Let's start over. What do you need?"
    assert chat.choice_values == NEED_VALUES
    assert chat.state == "need"
    assert chat.conversation().slots.get("handle") is None
    chat.say("1")
    assert chat.last.text == "What is your employee ID or username?"


@pytest.mark.parametrize("state", [s for s in STATES if s != "handoff"])
@pytest.mark.parametrize("agent", ["agent", "I want to talk to a person", "a human please", "help desk"])
def test_asking_for_a_person_hands_off_in_every_state(chat: Chat, employee: int, state: str, agent: str) -> None:
    drive(chat, state)
    chat.say(agent)
    assert chat.last.text.startswith("I've passed you to IT support: ticket RD-")
    assert "you won't need to repeat yourself" in chat.last.text
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "asked" and ticket.status == "open"
    assert ticket.reference in chat.last.text
    assert chat.state == "handoff"


def test_in_hand_off_the_person_is_told_the_ticket_is_open_and_can_go_back(chat: Chat, employee: int) -> None:
    drive(chat, "handoff")
    ticket = chat.ticket()
    assert ticket is not None
    chat.say("agent")
    assert chat.text == (
        f"Your ticket {ticket.reference} is open; a person from IT support will reply here. "
        'Say "restart" to go back to the bot.'
    )
    chat.say("hello? anyone?")
    assert chat.text == (
        f"Thanks, I've added that to your ticket {ticket.reference}. A person from IT support will reply here. "
        'Say "restart" to go back to the bot.'
    )
    for more in ("still there?", "my phone is broken"):  # every message is acknowledged, not only the first
        chat.say(more)
        assert chat.text == f"Thanks, IT support will see this on your ticket {ticket.reference}."
    chat.say("restart")
    chat.say("reset")
    assert chat.last.text == "What is your employee ID or username?"


# -- idle expiry ----------------------------------------------------------------------------------------

STARTING_OVER = "It's been a while since your last message, so we're starting over."


@pytest.mark.parametrize("state", ["need", "identify", "choose_method", "enter_code", "answer_questions"])
def test_after_thirty_idle_minutes_the_next_message_starts_over(
    chat: Chat, employee: int, clock: FakeClock, state: str
) -> None:
    drive(chat, state)
    clock.advance(minutes=31)
    chat.say("I forgot my password")
    assert chat.replies[0].text == STARTING_OVER
    assert chat.last.text == "What is your employee ID or username?"  # and the message itself is understood
    assert chat.state == "identify"


def test_a_code_typed_after_expiry_is_not_taken(chat: Chat, employee: int, clock: FakeClock) -> None:
    drive(chat, "enter_code")
    code = chat.code()  # delivered at once
    clock.advance(minutes=31)
    chat.say(code)
    assert chat.replies[0].text == STARTING_OVER
    assert "verified" not in chat.text
    assert chat.last.text.endswith("What do you need?")


def test_twenty_nine_idle_minutes_keep_the_conversation(chat: Chat, employee: int, clock: FakeClock) -> None:
    drive(chat, "choose_method")
    clock.advance(minutes=29)
    chat.say("email")
    assert STARTING_OVER not in chat.text
    assert chat.last.text.startswith("I've sent a 6-digit code to e•••@example.com.")


@pytest.mark.parametrize("state", ["idle", "done"])
def test_a_finished_conversation_does_not_announce_expiry(
    chat: Chat, employee: int, clock: FakeClock, state: str
) -> None:
    drive(chat, state)
    clock.advance(hours=5)
    chat.say("hi")
    assert STARTING_OVER not in chat.text
    assert chat.last.text.endswith("What do you need?")


def test_an_answer_typed_after_expiry_is_still_redacted(chat: Chat, employee: int, clock: FakeClock) -> None:
    drive(chat, "answer_questions")
    clock.advance(minutes=31)
    chat.say("Lyon")
    said = [entry["text"] for entry in chat.conversation().transcript if entry["from"] == "person"]
    assert "Lyon" not in said
    assert said[-1] == "[redacted]"


# -- not understood -------------------------------------------------------------------------------------


def test_three_not_understood_give_help_twice_then_a_person(chat: Chat, employee: int) -> None:
    chat.say("hi")
    for _ in range(2):
        chat.say("banana")
        assert chat.last.text.startswith("Sorry, I didn't get that. Pick one of the options")
        assert chat.last.text.endswith(COMMANDS_HINT)
        assert chat.choice_values == NEED_VALUES  # the buttons come back
        assert chat.state == "need"
    chat.say("banana")
    assert chat.last.text.startswith("I'm having trouble understanding. I've passed you to IT support: ticket RD-")
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "not_understood"
    assert chat.state == "handoff"


def test_not_understood_at_the_method_choice_re_offers_the_methods(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("purple")
    assert chat.last.text.startswith("Sorry, I didn't get that. Pick how to confirm it's you.")
    assert chat.choice_values == ["sms", "email", "questions", "none"]


def test_not_understood_at_the_code_prompt_keeps_the_code_keypad(chat: Chat, employee: int) -> None:
    drive(chat, "enter_code")
    chat.say("purple")
    assert chat.last.text.startswith("Sorry, I didn't get that. Type the code we sent you.")
    assert chat.last.expects == "code"
    chat.say(chat.code())
    assert chat.last.text.startswith("Thanks, you're verified.")


def test_the_count_is_of_misunderstandings_in_a_row(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("purple")
    chat.say("purple")
    chat.say("email")  # understood: the count starts again
    chat.say("purple")
    chat.say("purple")
    assert chat.state == "enter_code"
    assert chat.last.text.startswith("Sorry, I didn't get that.")
    chat.say("purple")
    assert chat.last.text.startswith("I'm having trouble understanding.")


def test_three_unreadable_identifiers_reach_a_person(chat: Chat) -> None:
    chat.say("reset")
    for _ in range(3):
        chat.say("%%% ???")
    assert chat.last.text.startswith("I'm having trouble understanding. I've passed you to IT support")

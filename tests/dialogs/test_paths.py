"""Every path through recovery, as conversations: each method to success for reset and unlock, wrong and
expired codes, resend, switching method, wrong answers, nothing on file, a provider down, the lock, and the
confirmation after the reset page is done."""

from __future__ import annotations

import pytest

from app import build_delivery_worker
from bot.messages import Reply
from core.delivery.ports import DeliveryError, EmailMessage
from core.types import ResetStatus
from tests.dialogs.conftest import NEW_PASSWORD, Chat, ChatFactory, add_employee, answer_for, outbox_count
from tests.support import FakeClock

VERIFIED_RESET = "Thanks, you're verified. Open this secure link to choose a new password."
UNLOCKED = "Your account is unlocked. You can sign in to the employee portal now."
CODE_BY_EMAIL = "If that account has an email address on file, I've sent a 6-digit code to it."
CODE_BY_SMS = "If that account has a phone number on file, I've texted a 6-digit code to it."
HANDOFF = "I've passed you to IT support: ticket RD-"

# method as typed -> (what the bot says when the code is sent, outbox kind)
CODE_METHODS = {"email": (CODE_BY_EMAIL, "email"), "sms": (CODE_BY_SMS, "sms")}


def verify(chat: Chat, method: str) -> None:
    """From the choice of method to verified, by `method` ("email", "sms" or "questions")."""
    chat.say(method)
    if method == "questions":
        assert chat.last.text.startswith("Question 1 of 2: "), chat.text
        assert chat.last.expects == "secret"
        chat.answer_questions()
    else:
        sent, kind = CODE_METHODS[method]
        assert chat.last.text.startswith(sent), chat.text
        assert chat.last.expects == "code"
        chat.say(chat.code(kind))


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
    assert chat.last.text == "Please wait 60 seconds before asking for another code."
    clock.advance(seconds=30)
    chat.say("I didn't get it")
    assert chat.last.text == "Please wait 30 seconds before asking for another code."
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


# -- questions ------------------------------------------------------------------------------------------


def test_wrong_answers_then_right_answers(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    first_question = chat.last.text
    chat.say("Wrong answer one")
    assert chat.last.text.startswith("Question 2 of 2: ")
    chat.say("Wrong answer two")
    assert chat.replies[0].text == "Those answers didn't match what's on file. Let's try again from the first question."
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
    assert first_wrong_second == first_wrong_first
    assert "Those answers didn't match" in first_wrong_first


def test_answers_are_normalised(chat: Chat, employee: int) -> None:
    chat.reach_methods()
    chat.say("questions")
    while chat.last.text.startswith("Question"):
        chat.say("  " + answer_for(chat.last.text).upper().replace(" ", "   ") + " ")
    assert chat.last.text.startswith(VERIFIED_RESET)


# -- nothing usable on file -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on_file",
    [
        {"email": None, "phone": None, "answers": {}},
        {"email": None, "phone": None, "answers": {"first_pet": "Rex", "birth_city": "Lyon"}},  # 2 of 3 needed
    ],
    ids=["nothing", "too-few-answers"],
)
def test_nothing_on_file_hands_off_to_support(chat: Chat, on_file: dict) -> None:  # type: ignore[type-arg]
    add_employee(chat.core, "E1001", **on_file)
    chat.say("I forgot my password")
    chat.say("E1001")
    assert chat.last.text.startswith("I can't verify you with anything on file for this account. " + HANDOFF)
    assert "you're number 1 in the queue" in chat.last.text
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "no_method" and ticket.account_id is not None
    assert chat.last.text.split("ticket ")[1].startswith(ticket.reference)


@pytest.mark.parametrize("pick", ["4", "I can't use any of these", "none of these"])
def test_choosing_none_of_the_methods_hands_off(chat: Chat, employee: int, pick: str) -> None:
    chat.reach_methods()
    chat.say(pick)
    assert chat.last.text.startswith("I can't verify you with anything on file for this account. " + HANDOFF)
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "no_method"


def test_only_the_methods_on_file_are_offered(chat: Chat) -> None:
    add_employee(chat.core, "E1001", phone=None, answers={})
    chat.reach_methods()
    assert chat.last.choices == (("Email me a code", "email"), ("I can't use any of these", "none"))
    chat.say("1")
    assert chat.last.text.startswith(CODE_BY_EMAIL)


# -- a provider down ------------------------------------------------------------------------------------


def _email_down(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> list[EmailMessage]:
    attempts: list[EmailMessage] = []

    def refuse(message: EmailMessage) -> None:
        attempts.append(message)
        raise DeliveryError("email", "connect: connection refused")

    monkeypatch.setattr(chat.core.email, "send", refuse)
    return attempts


def _settle(chat: Chat, clock: FakeClock) -> list[Reply]:
    """The delivery worker's tries, the clock moved to each retry, with the app's failure notice wired to this
    engine: returns the replies pushed to the person afterwards."""
    pushed: list[Reply] = []
    chat.engine.push.register(chat.channel, lambda _user, replies: pushed.extend(replies))
    worker = build_delivery_worker(chat.core, chat.engine)
    for _ in range(5):
        worker.drain()
        if not worker.queue.waiting():
            break
        clock.advance(seconds=10)
    return pushed


NOT_DELIVERED_BY_EMAIL = "Sorry, I couldn't deliver your code by email."


def test_email_down_offers_the_other_methods(
    chat: Chat, employee: int, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = _email_down(chat, monkeypatch)
    chat.reach_methods()
    chat.say("email")
    assert chat.state == "enter_code"  # the reply does not wait for the provider: the code is queued
    pushed = _settle(chat, clock)
    assert len(attempts) == chat.core.settings.delivery_max_attempts
    assert pushed[0].text == NOT_DELIVERED_BY_EMAIL + " Please choose another way."
    assert pushed[-1].text == "How would you like to confirm it's you?"
    assert {"sms", "questions"} <= {value for _, value in pushed[-1].choices}
    assert chat.state == "choose_method"
    verify(chat, "sms")
    assert chat.last.text.startswith(VERIFIED_RESET)


def test_email_down_past_the_breaker_threshold_is_no_longer_offered(
    make_chat: ChatFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = make_chat(breaker_failure_threshold=1)
    add_employee(chat.core, "E1001")
    _email_down(chat, monkeypatch)
    chat.reach_methods()
    chat.say("email")
    pushed = _settle(chat, clock)
    assert pushed[0].text.startswith(NOT_DELIVERED_BY_EMAIL)
    assert [value for _, value in pushed[-1].choices] == ["sms", "questions", "none"]

    other = make_chat(user_id="user-2")  # a new recovery is not offered email either
    other.reach_methods()
    assert other.choice_values == ["sms", "questions", "none"]


def test_every_code_provider_down_and_no_questions_hands_off_at_once(
    make_chat: ChatFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = make_chat(breaker_failure_threshold=1)
    add_employee(chat.core, "E1001", answers={})
    for method in chat.core.recovery.breakers.values():  # both providers have just failed
        with pytest.raises(DeliveryError):
            method.call(_raise_delivery_error)
    chat.say("I forgot my password")
    chat.say("E1001")
    assert chat.last.text.startswith("None of the ways to send you a code is working right now. " + HANDOFF)
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "provider_down"


def _raise_delivery_error() -> None:
    raise DeliveryError("test", "down")


def test_the_only_method_failing_hands_off(
    make_chat: ChatFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = make_chat(breaker_failure_threshold=1)
    add_employee(chat.core, "E1001", phone=None, answers={})
    _email_down(chat, monkeypatch)
    chat.reach_methods()
    chat.say("email")
    pushed = _settle(chat, clock)
    assert pushed[0].text == NOT_DELIVERED_BY_EMAIL
    assert HANDOFF in " ".join(reply.text for reply in pushed)
    assert chat.state == "handoff"


# -- too many failures ----------------------------------------------------------------------------------


def test_ten_failures_lock_self_service_and_hand_off(chat: Chat, employee: int, clock: FakeClock) -> None:
    chat.reach_methods()
    for method, kind in (("email", "email"), ("sms", "sms")):
        chat.say(method)
        wrong = "000000" if chat.code(kind) != "000000" else "111111"
        for _ in range(5):
            chat.say(wrong)
        if method == "email":
            chat.say("another way")
            clock.advance(seconds=61)
    assert chat.last.text.startswith("There have been too many failed attempts, so self-service is paused. " + HANDOFF)
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "verification_locked"

    chat.say("restart")
    chat.say("reset")
    chat.say("E1001")  # still locked for this account: straight to support
    assert "too many failed attempts" in chat.last.text


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

"""The paths when recovery can't go on by itself, as conversations: nothing usable on file, a provider
down, and the lock after too many failures."""

from __future__ import annotations

import pytest

from app import build_delivery_worker
from bot.messages import Reply
from core.delivery.ports import DeliveryError, EmailMessage
from tests.dialogs.conftest import Chat, ChatFactory, add_employee
from tests.dialogs.i18n_support import english_in, locale_chat
from tests.dialogs.paths_support import (
    CODE_BY_EMAIL,
    HANDOFF,
    VERIFIED_RESET,
    verify,
)
from tests.support import FakeClock

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
    # Contacts are on file: the person can't use them, which is not "nothing on file".
    assert chat.last.text.startswith("OK, none of those ways works for you. " + HANDOFF)
    assert "on file" not in chat.last.text
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "methods_unusable"


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


def test_the_not_delivered_notice_speaks_the_conversations_language(
    make_chat: ChatFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = locale_chat(make_chat, "es")
    _email_down(chat, monkeypatch)
    chat.say("olvidé mi contraseña")
    chat.say("E1001")
    chat.say("por correo")
    assert chat.state == "enter_code"
    pushed = _settle(chat, clock)  # the worker runs outside any turn: the notice follows the conversation
    assert (
        pushed[0].text
        == "Lo siento, no he podido enviarte el código por correo electrónico. Elige otra forma, por favor."
    )
    assert english_in([reply.text for reply in pushed]) == []


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
    # The pause says when it ends: the first failure (Mon 09:00, the test clock) leaves the 24-hour window.
    assert chat.last.text.startswith(
        "There have been too many failed attempts, so self-service is paused. "
        "It starts again in about 24 hours (at Tue 09:00 UTC). " + HANDOFF
    )
    ticket = chat.ticket()
    assert ticket is not None and ticket.reason == "verification_locked"

    chat.say("restart")
    chat.say("reset")
    chat.say("E1001")  # still locked for this account: straight to support
    assert "too many failed attempts" in chat.last.text


def test_a_short_pause_says_in_minutes_when_it_ends(make_chat: ChatFactory, clock: FakeClock) -> None:
    chat = make_chat(verification_window_seconds=900, verification_max_failures=2)
    add_employee(chat.core, "E1001")
    chat.reach_methods()
    chat.say("questions")
    chat.say("wrong")
    chat.say("wrong")
    assert chat.replies[0].text.endswith("You have 1 more attempt before self-service is paused.")
    clock.advance(minutes=5)  # 09:05: the first failure (09:00) leaves the window at 09:15
    chat.say("wrong")
    chat.say("wrong")
    assert chat.last.text.startswith(
        "There have been too many failed attempts, so self-service is paused. "
        "It starts again in 10 minutes (at 09:15 UTC). " + HANDOFF
    ), chat.text

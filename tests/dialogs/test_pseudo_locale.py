"""The pseudo-locale: every catalog string comes out as "[!! … !!]", so any text that reaches the chat without
going through the catalogs (a literal in the code, a string not marked) shows up unwrapped and fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from core.i18n import PSEUDO, enable_pseudo
from tests.dialogs.conftest import ChatFactory, answer_for
from tests.dialogs.i18n_support import NEW_PASSWORD, LocaleChat, locale_chat

_WRAPPED = re.compile(r"\[!! (?:(?!\[!! |!!\]).)*? !!\]", re.DOTALL)  # innermost first: {where} sits inside
_DATA = re.compile(r"\S*[\d@•]\S*")  # a ticket reference, a masked address, a number: data, not words


@pytest.fixture(autouse=True)
def pseudo() -> Iterator[None]:
    enable_pseudo()
    yield
    enable_pseudo(False)


def unwrapped(chat: LocaleChat) -> list[str]:
    """What each shown text (reply, button, link label) leaves once its wrapped parts and data are removed."""
    left = []
    for text in chat.everything_shown():
        while _WRAPPED.search(text):
            text = _WRAPPED.sub("", text)
        text = _DATA.sub("", text)
        if re.search(r"[^\W\d_]", text):
            left.append(text)
    return left


def test_the_reset_by_email_journey_is_all_from_the_catalog(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, PSEUDO)
    chat.say("hi")
    assert chat.last.text.startswith("[!! Hi, I'm ResetDesk.")
    chat.say("I forgot my password")
    chat.say("E1001")
    chat.say("email")
    chat.say("resend")
    chat.say("12")
    chat.say("000000")
    chat.say("help")
    chat.say(chat.code("email"))
    assert chat.last.link is not None
    chat.say("what now?")
    outcome = chat.core.recovery.complete_reset(chat.reset_token(), NEW_PASSWORD, NEW_PASSWORD)
    pushed = chat.engine.reset_completed(outcome)
    assert pushed
    chat.history.append(("", pushed))
    assert unwrapped(chat) == []


def test_questions_unlock_and_hand_off_are_all_from_the_catalog(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, PSEUDO)
    account = chat.core.directory.find("E1001")
    assert account is not None
    chat.core.directory.set_locked(account.id, True)
    chat.say("I'm locked out")
    chat.say("John Smith")
    chat.say("E1001")
    chat.say("questions")
    chat.say("wrong")
    chat.say("also wrong")
    while chat.last.expects == "secret":
        chat.say(answer_for(chat.last.text))
    assert "unlocked" in chat.text
    chat.say("123456")
    chat.say("cancel")
    chat.say("gibberish words")
    chat.say("I forgot my password")
    chat.say("E1001")
    chat.say("sms")
    chat.say("another way")
    chat.say("I can't use any of these")
    chat.say("are you there?")
    chat.say("restart")
    assert unwrapped(chat) == []


def test_an_unwrapped_string_is_caught(make_chat: ChatFactory) -> None:
    chat = locale_chat(make_chat, PSEUDO)
    chat.say("hi")
    chat.history.append(("", [chat.last.__class__("Some literal text")]))
    assert unwrapped(chat) == ["Some literal text"]

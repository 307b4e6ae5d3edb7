# ruff: noqa: F811  (the fixtures are imported from tests/support/telegram.py, then used as arguments)
"""The Telegram channel through the Flask app and the real python-telegram-bot, talking HTTP to a local fake
Bot API: a full reset with inline keyboards, private chats only with one conversation per user, and an agent
relay. Webhook security: test_telegram_webhook.py; Bot API errors, long polling, rendering:
test_telegram_bot_api.py."""

from __future__ import annotations

import re
import time

from app import wiring
from channels.telegram.channel import PRIVATE_ONLY, TEXT_ONLY
from tests.core.conftest import add_employee
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.telegram import (  # noqa: F401 (fixtures, and message_update for tests/security/test_input_*.py)
    GROUP,
    JORDAN,
    SAM,
    STRONG,
    Person,
    TelegramApp,
    buttons,
    conversations,
    message_update,
    reach_reset_link,
    telegram,
    telegram_api,
)

# -- a full recovery ----------------------------------------------------------------------------------


def test_full_reset_with_inline_keyboards_and_the_confirmation_pushed(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
) -> None:
    app, core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    replies, code = reach_reset_link(core, jordan)
    code_message_id = jordan.last_message_id

    # The message holding the code was deleted, and only that one.
    deleted = [c.params for c in telegram_api.calls_to("deleteMessage")]
    assert deleted == [{"chat_id": JORDAN, "message_id": code_message_id}]
    # Each button press was answered and its keyboard removed (no reply_markup = remove).
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 2
    edits = [c.params for c in telegram_api.calls_to("editMessageReplyMarkup")]
    assert len(edits) == 2 and all(set(e) == {"chat_id", "message_id"} for e in edits)
    # Plain text only, and the code is never echoed back.
    sent = [c.params for c in telegram_api.calls_to("sendMessage")]
    assert all("parse_mode" not in p for p in sent)
    assert not any(code in p["text"] for p in sent)

    url_buttons = [b for b in buttons(replies[-1]) if "url" in b]
    assert len(url_buttons) == 1 and url_buttons[0]["url"].startswith(core.settings.public_url + "/reset/")
    token = url_buttons[0]["url"].rsplit("/", 1)[1]
    assert token not in replies[-1]["text"]

    outcome = core.recovery.complete_reset(token, STRONG, STRONG)
    wiring(app).engine.reset_completed(outcome)
    telegram_api.wait_for(lambda api: any("password has been changed" in t for t in api.sent_texts()))
    pushed = telegram_api.calls_to("sendMessage")[-1].params
    assert pushed["chat_id"] == JORDAN
    account = core.directory.find("E1001")
    assert account is not None and core.directory.verify_password(account.id, STRONG)


def test_a_double_tap_on_a_button_counts_once(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, _ = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("hello")
    keyboard = jordan.keyboard_message("reset")
    assert "employee ID" in jordan.press("reset", message=keyboard)[-1]["text"]
    assert jordan.press("reset", message=keyboard) == []  # the second press does not answer "reset" as an ID
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 2  # every press is still acknowledged


def test_a_link_button_telegram_refuses_is_sent_as_text(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    telegram_api.reject_local_url_buttons = True  # as Telegram does for a http://127.0.0.1 public URL
    app, core = telegram()
    replies, _ = reach_reset_link(core, Person(app.test_client(), telegram_api, JORDAN))
    refused, fallback = replies  # the attempt with the URL button, then the link in the text
    assert any("url" in b for b in buttons(refused)) and "/reset/" not in refused["text"]
    assert "/reset/" in fallback["text"] and not any("url" in b for b in buttons(fallback))
    assert telegram_api.sent[-1]["text"] == fallback["text"]


# -- private chats only, one conversation per user ----------------------------------------------------


def test_a_group_chat_is_asked_to_message_privately_and_recovery_never_runs(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
) -> None:
    app, core = telegram()
    add_employee(core)
    client = app.test_client()
    for user_id in (JORDAN, SAM):  # two people in the same group
        in_group = Person(client, telegram_api, user_id, chat_id=GROUP)
        replies = in_group.say("reset my password, I am E1001")
        assert [r["text"] for r in replies] == [PRIVATE_ONLY]
        assert buttons(replies[0]) == [{"text": "Message me", "url": "https://t.me/resetdesk_test_bot"}]
    assert conversations(core) == {}
    assert telegram_api.calls_to("deleteMessage") == []


def test_each_telegram_user_has_their_own_conversation(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    add_employee(core)
    client = app.test_client()
    jordan, sam = Person(client, telegram_api, JORDAN), Person(client, telegram_api, SAM)
    jordan.say("I forgot my password")
    sam_replies = sam.say("E1001")  # Sam never said what they need: not Jordan's "identify" step
    assert all("email" not in [b.get("callback_data") for b in buttons(r)] for r in sam_replies)
    # A message in Jordan's chat sent by Sam's account is Sam's conversation, not Jordan's.
    Person(client, telegram_api, SAM, chat_id=JORDAN).say("cancel")
    jordan_methods = jordan.say("E1001")
    assert "email" in [b.get("callback_data") for b in buttons(jordan_methods[-1])]
    states = conversations(core)
    assert set(states) == {str(JORDAN), str(SAM)} and states[str(JORDAN)] != states[str(SAM)]


def test_a_message_without_text_gets_a_text_only_note(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    replies = Person(app.test_client(), telegram_api, JORDAN).say(None, location={"latitude": 48.8, "longitude": 2.3})
    assert [r["text"] for r in replies] == [TEXT_ONLY] and conversations(core) == {}


# -- an agent ------------------------------------------------------------------------------------------


def test_an_agent_and_a_telegram_user_talk_both_ways(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    from bot.relay import SupportRelay

    app, core = telegram()
    person = Person(app.test_client(), telegram_api, 4242)
    person.say("hello")
    reply = person.say("agent")[-1]
    reference = re.search(r"RD-[0-9A-Z]{6}", reply["text"])
    assert reference is not None
    agent = core.support.create_agent("sam", "Sam", "agent password for tests")
    assert core.support.take(reference.group(0), agent)
    relay = SupportRelay(wiring(app).engine, core.support, core.recovery)
    before = len(telegram_api.calls_to("sendMessage"))
    assert relay.say(reference.group(0), agent, "Hi, Sam from IT here")
    deadline = time.monotonic() + 5  # pushes go out on the channel's loop thread
    while len(telegram_api.calls_to("sendMessage")) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    pushed = telegram_api.calls_to("sendMessage")[before].params
    assert pushed["chat_id"] == 4242 and pushed["text"] == "IT support: Hi, Sam from IT here"
    assert person.say("thanks, my phone is lost") == []
    lines = core.support.view(reference.group(0)).messages
    assert ("person", "thanks, my phone is lost") in [(m["sender"], m["text"]) for m in lines]

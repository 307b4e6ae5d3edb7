# ruff: noqa: F811  (fixtures are imported from tests/channels and tests/support, then used as arguments)
"""Channel forgery, Telegram: requests that claim to come from Telegram and do not, or come twice.

Each attack goes end to end through the Flask app (python-telegram-bot included) and checks that nothing was
posted back and no state changed. tests/channels covers the basic refusals; these add forged secret tokens,
replays (sequential and concurrent), and other people in the same chat. Slack: test_slack_forgery.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app import Core
from core.storage.models import OneTimeCode, ProcessedEvent, ResetToken
from tests.core.conftest import add_employee, last_outbox_code
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.forgery import concurrently, rows
from tests.support.telegram import (  # noqa: F401 (fixtures)
    GROUP,
    HEADER,
    JORDAN,
    SAM,
    SECRET,
    Person,
    conversations,
    message_update,
    telegram,
    telegram_api,
)

# -- Telegram: the secret token ---------------------------------------------------------------------------


def assert_telegram_untouched(core: Core, api: FakeTelegramApi) -> None:
    assert api.calls == [] and conversations(core) == {}
    assert rows(core, ProcessedEvent) == 0


@pytest.mark.parametrize(
    "headers, path",
    [
        ({HEADER: SECRET.upper()}, "/telegram/webhook"),
        ({HEADER: f" {SECRET} "}, "/telegram/webhook"),
        ({HEADER: SECRET + "\x00"}, "/telegram/webhook"),
        ({"X-Telegram-Bot-Api-Secret": SECRET}, "/telegram/webhook"),  # a near-miss header name
        ({"Authorization": f"Bearer {SECRET}"}, "/telegram/webhook"),
        ({}, f"/telegram/webhook?secret_token={SECRET}"),  # in the URL instead of the header
        ({HEADER: "x" * 10_000}, "/telegram/webhook"),
    ],
    ids=["case", "padded", "nul", "header-name", "bearer", "query", "huge"],
)
def test_telegram_forged_secret_is_refused(
    telegram: Any, telegram_api: FakeTelegramApi, headers: dict[str, str], path: str
) -> None:
    app, core = telegram()
    add_employee(core)
    update = message_update(JORDAN, "I forgot my password")
    response = app.test_client().post(path, json=update, headers=headers)
    assert response.status_code == 403 and response.is_json
    assert_telegram_untouched(core, telegram_api)


def test_telegram_secret_header_name_is_case_insensitive(telegram: Any, telegram_api: FakeTelegramApi) -> None:
    app, _core = telegram()
    response = app.test_client().post("/telegram/webhook", json=message_update(JORDAN, "hi"),
                                      headers={HEADER.lower(): SECRET})  # fmt: skip
    assert response.status_code == 200 and len(telegram_api.calls_to("sendMessage")) == 1


def test_telegram_refused_update_is_still_taken_from_telegram_itself(
    telegram: Any, telegram_api: FakeTelegramApi
) -> None:
    """A forger who guesses an update_id cannot burn it: Telegram's own delivery still goes through."""
    app, _core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    update = message_update(JORDAN, "hi")
    assert jordan.post(update, secret="guess").status_code == 403
    assert jordan.post(update).status_code == 200
    assert len(telegram_api.calls_to("sendMessage")) == 1


# -- Telegram: replays ------------------------------------------------------------------------------------


def test_telegram_repeated_update_id_with_other_content_is_ignored(
    telegram: Any, telegram_api: FakeTelegramApi
) -> None:
    app, core = telegram()
    add_employee(core)
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("I forgot my password")
    first = message_update(JORDAN, "E1001")
    assert jordan.post(first).status_code == 200
    sent = len(telegram_api.calls_to("sendMessage"))
    # The same update_id again, now carrying "email": a redelivery is never a new message.
    second = message_update(JORDAN, "email") | {"update_id": first["update_id"]}
    response = jordan.post(second)
    assert response.status_code == 200 and response.get_json()["duplicate"] is True
    assert len(telegram_api.calls_to("sendMessage")) == sent
    assert conversations(core)[str(JORDAN)] == "choose_method" and rows(core, OneTimeCode) == 0


def test_telegram_repeated_update_from_many_workers_at_once_is_processed_once(
    telegram: Any, telegram_api: FakeTelegramApi
) -> None:
    app, _core = telegram()
    update = message_update(JORDAN, "hi")
    statuses = concurrently(
        app, 6, lambda client: client.post("/telegram/webhook", json=update, headers={HEADER: SECRET})
    )
    assert statuses == [200] * 6
    assert len(telegram_api.calls_to("sendMessage")) == 1


def test_telegram_repeated_button_press_update_is_counted_once(telegram: Any, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("hello")
    press = {
        "update_id": 990_001,
        "callback_query": {
            "id": "990002",
            "from": {"id": JORDAN, "is_bot": False, "first_name": "Jordan"},
            "message": jordan.keyboard_message("reset"),
            "chat_instance": "-4242",
            "data": "reset",
        },
    }
    before = len(telegram_api.calls_to("sendMessage"))
    for _ in range(3):
        assert jordan.post(press).status_code == 200
    assert len(telegram_api.calls_to("sendMessage")) == before + 1
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 1
    assert conversations(core)[str(JORDAN)] == "identify"


# -- Telegram: someone else in the same chat --------------------------------------------------------------


def jordan_waiting_for_a_code(app: Flask, core: Core, api: FakeTelegramApi) -> tuple[Person, str]:
    add_employee(core)
    jordan = Person(app.test_client(), api, JORDAN)
    jordan.say("I forgot my password")
    jordan.say("E1001")
    jordan.press("email")
    assert conversations(core)[str(JORDAN)] == "enter_code"
    return jordan, last_outbox_code(core)


def test_telegram_someone_else_in_a_group_cannot_use_the_code(telegram: Any, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    jordan, code = jordan_waiting_for_a_code(app, core, telegram_api)
    sam_in_group = Person(app.test_client(), telegram_api, SAM, chat_id=GROUP)
    replies = sam_in_group.say(code)
    assert len(replies) == 1 and "privately" in replies[0]["text"]  # refused politely, in the group
    assert not any(buttons_with_url(r) for r in replies)
    assert conversations(core) == {str(JORDAN): "enter_code"} and rows(core, ResetToken) == 0
    # Jordan's code is untouched by Sam's attempt: it still works for Jordan.
    assert any(buttons_with_url(r) for r in jordan.say(code))


def test_telegram_another_users_message_in_my_chat_is_their_own_conversation(
    telegram: Any, telegram_api: FakeTelegramApi
) -> None:
    app, core = telegram()
    jordan, code = jordan_waiting_for_a_code(app, core, telegram_api)
    # An update claiming to be Sam, in Jordan's private chat, carrying Jordan's code.
    sam_in_jordans_chat = Person(app.test_client(), telegram_api, SAM, chat_id=JORDAN)
    replies = sam_in_jordans_chat.say(code)
    assert not any(buttons_with_url(r) for r in replies) and all("/reset/" not in r["text"] for r in replies)
    states = conversations(core)
    assert states[str(JORDAN)] == "enter_code" and states[str(SAM)] != "enter_code"
    assert rows(core, ResetToken) == 0
    assert any(buttons_with_url(r) for r in jordan.say(code))


def buttons_with_url(reply: dict[str, Any]) -> list[str]:
    keys = (reply.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["url"] for row in keys for b in row if "/reset/" in b.get("url", "")]

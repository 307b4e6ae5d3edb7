"""The Telegram side of the channel tests: the fake Bot API and a Telegram-enabled app (fixtures), updates as
Telegram posts them, and a person in a Telegram chat. Imported by tests/channels/test_telegram*.py and the
security tests."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core, wiring
from channels.telegram import TelegramChannel
from core.storage.models import Conversation
from tests.core.conftest import add_employee, last_outbox_code
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi, running_telegram_api

SECRET = "test-webhook-secret_0123"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
STRONG = "maple river quietly 1987 lantern"
JORDAN, SAM = 5550001, 5550002
GROUP = -1009876

TelegramApp = Callable[..., tuple[Flask, Core]]


@pytest.fixture
def telegram_api() -> Iterator[FakeTelegramApi]:
    """The fake Bot API (tests/fakes/telegram_api.py; tests/conftest.py does not load it as a plugin)."""
    with running_telegram_api() as api:
        yield api


@pytest.fixture
def telegram(make_app, telegram_api: FakeTelegramApi) -> Iterator[TelegramApp]:
    """create_app with the Telegram channel on, pointed at the fake; its loop thread is closed at the end."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> tuple[Flask, Core]:
        settings = {
            "telegram_bot_token": TOKEN,
            "telegram_webhook_secret": SECRET,
            "telegram_api_url": telegram_api.url,
        } | overrides
        app, core = make_app(**settings)
        apps.append(app)
        return app, core

    yield factory
    for app in apps:
        channel: TelegramChannel = wiring(app).channel(TelegramChannel)
        channel.close()
        assert channel.loop.thread is None or not channel.loop.thread.is_alive()
        assert channel.handler_errors == 0


_ids = itertools.count(700_000)


def message_update(
    user_id: int, text: str | None, *, chat_id: int | None = None, language_code: str = "en", **extra: Any
) -> dict[str, Any]:
    chat_id = user_id if chat_id is None else chat_id
    chat = {"id": chat_id, "type": "private", "first_name": "Jordan"}
    if chat_id < 0:
        chat = {"id": chat_id, "type": "group", "title": "Team chat"}
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Jordan", "language_code": language_code},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": next(_ids), "message": message}


class Person:
    """Someone in Telegram: their client posts updates to our webhook as Telegram would."""

    def __init__(
        self,
        client: FlaskClient,
        api: FakeTelegramApi,
        user_id: int,
        chat_id: int | None = None,
        language_code: str = "en",  # the app language of their Telegram client, sent in every update's "from"
    ) -> None:
        self.client, self.api, self.user_id, self.language_code = client, api, user_id, language_code
        self.chat_id = user_id if chat_id is None else chat_id
        self.last_message_id = 0

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> Any:
        headers = {HEADER: secret} if secret is not None else {}
        return self.client.post("/telegram/webhook", json=update, headers=headers)

    def _replies_after(self, before: int) -> list[dict[str, Any]]:
        return [c.params for c in self.api.calls_to("sendMessage")[before:] if c.params["chat_id"] == self.chat_id]

    def say(self, text: str | None, **extra: Any) -> list[dict[str, Any]]:
        before = len(self.api.calls_to("sendMessage"))
        update = message_update(self.user_id, text, chat_id=self.chat_id, language_code=self.language_code, **extra)
        self.last_message_id = update["message"]["message_id"]
        response = self.post(update)
        assert response.status_code == 200, response.get_json()
        return self._replies_after(before)

    def keyboard_message(self, value: str) -> dict[str, Any]:
        """The newest message the bot sent to this chat with a button for `value`, as Telegram holds it."""
        for message in reversed(self.api.sent):
            keys = message.get("reply_markup", {}).get("inline_keyboard", [])
            if message["chat"]["id"] == self.chat_id and any(b.get("callback_data") == value for r in keys for b in r):
                return message
        raise AssertionError(f"no button {value!r} was offered")

    def press(self, value: str, *, message: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        message = message or self.keyboard_message(value)
        sender = {"id": self.user_id, "is_bot": False, "first_name": "Jordan", "language_code": self.language_code}
        update = {
            "update_id": next(_ids),
            "callback_query": {
                "id": str(next(_ids)),
                "from": sender,
                "message": message,
                "chat_instance": "-4242",
                "data": value,
            },
        }
        before = len(self.api.calls_to("sendMessage"))
        response = self.post(update)
        assert response.status_code == 200, response.get_json()
        return self._replies_after(before)


def buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in (reply.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def conversations(core: Core) -> dict[str, str]:
    with core.database.transaction() as session:
        rows = session.execute(
            select(Conversation.user_id, Conversation.state).where(Conversation.channel == "telegram")
        )
        return {user_id: state for user_id, state in rows}


def reach_reset_link(core: Core, person: Person) -> tuple[list[dict[str, Any]], str]:
    add_employee(core)
    greeting = person.say("/start")
    assert [b["callback_data"] for b in buttons(greeting[-1])][:2] == ["reset", "unlock"]
    assert "employee ID" in person.press("reset")[-1]["text"]
    methods = person.say("E1001")
    assert "email" in [b.get("callback_data") for b in buttons(methods[-1])]
    asked = person.press("email")
    assert "code" in asked[-1]["text"]
    code = last_outbox_code(core)
    replies = person.say(code)
    return replies, code

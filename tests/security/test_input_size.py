# ruff: noqa: F811  (fixtures are imported from tests/channels, then used as arguments)
"""Hostile input, huge: 1 MB messages on the web chat, Slack and Telegram, and 4 KB passwords on the reset page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Core
from channels.web.reset_page import FORM_PATH
from core.storage.models import ChatMessage
from tests.channels.conftest import ChatClient
from tests.channels.test_telegram import JORDAN, Person, conversations, telegram, telegram_api  # noqa: F401
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.hostile_input import reset_page, rows
from tests.support.slack_app import USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)

MEGABYTE = 1024 * 1024


# -- 1 MB messages ----------------------------------------------------------------------------------------


def test_a_1mb_chat_message_is_a_413_json_error_and_changes_nothing(client: FlaskClient, core: Core) -> None:
    chat = ChatClient(client)
    before = rows(core, ChatMessage)
    response = client.post("/api/chat/messages", json={"text": "a" * MEGABYTE})
    assert response.status_code == 413 and response.is_json and response.get_json()["message"]
    assert rows(core, ChatMessage) == before
    assert "employee ID" in chat.say("reset")[-1]["text"]  # the session carries on


def test_a_1mb_slack_message_is_refused_without_a_crash(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    response = slack.ws.send_event(slack.ws.dm_event(USER, "a" * MEGABYTE))
    assert response.status_code == 413 and response.is_json
    assert slack.api.calls == [] and slack.conversation() is None
    assert "unhandled error" not in caplog.text
    # Under the limit but far over a chat message: answered, and kept at the engine's 2,000 characters.
    assert slack.ws.send_event(slack.ws.dm_event(USER, "b" * 200_000)).status_code == 200
    assert len(slack.ws.new_messages()) == 1
    conversation = slack.conversation()
    assert conversation is not None and len(conversation.transcript[0]["text"]) <= 2000


def test_a_1mb_telegram_update_is_refused_without_a_crash(telegram: Any, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    from tests.channels.test_telegram import message_update

    response = jordan.post(message_update(JORDAN, "a" * MEGABYTE))
    assert response.status_code == 413 and response.is_json
    assert telegram_api.calls_to("sendMessage") == [] and conversations(core) == {}
    assert jordan.say("hi")  # the bot is fine afterwards (the fixture also checks no handler error)


# -- 4 KB passwords ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["x" * 4096, "é" * 2048, "😀" * 1024], ids=["ascii", "2-byte", "4-byte"])
def test_a_4kb_password_is_refused_with_a_clear_reason(app: Flask, core: Core, password: str) -> None:
    client, path, csrf = reset_page(app, core)
    response = client.post(FORM_PATH, data={"csrf_token": csrf, "password": password, "confirmation": password})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "at most 128 characters" in html
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])  # nothing used up; the person can try again
    check = client.post(FORM_PATH + "/check", data=f'{{"password": "{password}"}}'.encode(),
                        content_type="application/json", headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert check.status_code == 200 and check.get_json()["acceptable"] is False
    assert any("at most 128" in p for p in check.get_json()["problems"])

# ruff: noqa: F811  (the fixtures are imported from tests/support/telegram.py, then used as arguments)
"""The Telegram webhook through the Flask app and the real python-telegram-bot: the secret header, malformed
and oversized updates, a repeated update id, and a bot token that Telegram rejects."""

from __future__ import annotations

import logging

import pytest

from app import wiring
from channels.telegram import TelegramChannel
from tests.core.conftest import add_employee
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.telegram import (  # noqa: F401 (fixtures)
    HEADER,
    JORDAN,
    SECRET,
    Person,
    TelegramApp,
    conversations,
    message_update,
    telegram,
    telegram_api,
)

# -- webhook security ---------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], "sécret"])
def test_a_wrong_or_missing_secret_is_refused(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
    secret: str | None,
) -> None:
    app, core = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    response = jordan.post(message_update(JORDAN, "I forgot my password"), secret=secret)
    assert response.status_code == 403 and response.get_json()["error"] == "Forbidden"
    assert telegram_api.calls == [] and conversations(core) == {}


def test_without_a_configured_secret_webhooks_are_refused_and_polling_is_offered(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
) -> None:
    app, _ = telegram(telegram_webhook_secret=None)
    channel: TelegramChannel = wiring(app).channel(TelegramChannel)
    response = Person(app.test_client(), telegram_api, JORDAN).post(message_update(JORDAN, "hi"), secret="anything")
    assert response.status_code == 403 and telegram_api.calls == []
    assert channel.start_polling in wiring(app).background()
    with_secret, _ = telegram()
    assert (
        wiring(with_secret).channel(TelegramChannel).start_polling not in wiring(with_secret).background()
    )


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'"text"', b'{"message": {}}', b'{"update_id": "7"}', b'{"update_id": true}', b"\xff\xfe"],
)
def test_malformed_updates_get_a_json_400(telegram: TelegramApp, telegram_api: FakeTelegramApi, body: bytes) -> None:
    app, _ = telegram()
    response = app.test_client().post(
        "/telegram/webhook", data=body, headers={HEADER: SECRET, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.is_json and response.get_json()["error"] == "Bad Request"
    assert telegram_api.calls_to("sendMessage") == []


def test_an_update_that_is_not_a_valid_message_gets_a_400(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, _ = telegram()
    response = Person(app.test_client(), telegram_api, JORDAN).post({"update_id": 5, "message": {"text": "hi"}})
    assert response.status_code == 400 and response.get_json()["error"] == "Bad Request"


def test_a_long_message_over_the_apps_body_limit_is_accepted(
    telegram: TelegramApp, telegram_api: FakeTelegramApi
) -> None:
    app, _ = telegram()
    assert app.config["MAX_CONTENT_LENGTH"] < 9000
    replies = Person(app.test_client(), telegram_api, JORDAN).say("ü" * 4096)  # ~8.2 KB of UTF-8 plus the update
    assert replies


def test_a_repeated_update_id_is_processed_once(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, core = telegram()
    add_employee(core)
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("I forgot my password")
    update = message_update(JORDAN, "E1001")
    first = jordan.post(update)
    sent = len(telegram_api.calls_to("sendMessage"))
    again = jordan.post(update)
    assert first.status_code == 200 and again.status_code == 200 and again.get_json()["duplicate"] is True
    assert len(telegram_api.calls_to("sendMessage")) == sent
    assert conversations(core)[str(JORDAN)] == "choose_method"  # the repeat was not taken as a method choice


def test_the_bot_token_rejected_by_telegram_is_a_503_for_redelivery_and_never_logged(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # what `app.py run` logs (PTB itself logs the bot URL at DEBUG)
    app, core = telegram(telegram_bot_token="999:WRONG-token")
    update = message_update(JORDAN, "hi")
    response = Person(app.test_client(), telegram_api, JORDAN).post(update)
    assert response.status_code == 503
    assert [c.method for c in telegram_api.calls] == ["getMe"]
    assert core.recovery is not None and conversations(core) == {}
    assert "WRONG-token" not in caplog.text and "999:" not in caplog.text
    assert wiring(app).channel(TelegramChannel).ledger.first_time("telegram", str(update["update_id"]))  # not taken

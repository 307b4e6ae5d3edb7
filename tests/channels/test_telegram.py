"""The Telegram channel through the Flask app and the real python-telegram-bot, talking HTTP to a local fake
Bot API: webhook security, inline keyboards, a full reset, redeliveries, groups, API errors, long polling."""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core, wiring
from bot.messages import Link, Reply
from channels.telegram import TelegramChannel
from channels.telegram.channel import PRIVATE_ONLY, TEXT_ONLY
from channels.telegram.render import render
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


def message_update(user_id: int, text: str | None, *, chat_id: int | None = None, **extra: Any) -> dict[str, Any]:
    chat_id = user_id if chat_id is None else chat_id
    chat = {"id": chat_id, "type": "private", "first_name": "Jordan"}
    if chat_id < 0:
        chat = {"id": chat_id, "type": "group", "title": "Team chat"}
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Jordan", "language_code": "en"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return {"update_id": next(_ids), "message": message}


class Person:
    """Someone in Telegram: their client posts updates to our webhook as Telegram would."""

    def __init__(self, client: FlaskClient, api: FakeTelegramApi, user_id: int, chat_id: int | None = None) -> None:
        self.client, self.api, self.user_id = client, api, user_id
        self.chat_id = user_id if chat_id is None else chat_id
        self.last_message_id = 0

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> Any:
        headers = {HEADER: secret} if secret is not None else {}
        return self.client.post("/telegram/webhook", json=update, headers=headers)

    def _replies_after(self, before: int) -> list[dict[str, Any]]:
        return [c.params for c in self.api.calls_to("sendMessage")[before:] if c.params["chat_id"] == self.chat_id]

    def say(self, text: str | None, **extra: Any) -> list[dict[str, Any]]:
        before = len(self.api.calls_to("sendMessage"))
        update = message_update(self.user_id, text, chat_id=self.chat_id, **extra)
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
        update = {
            "update_id": next(_ids),
            "callback_query": {
                "id": str(next(_ids)),
                "from": {"id": self.user_id, "is_bot": False, "first_name": "Jordan"},
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


# -- Bot API errors ------------------------------------------------------------------------------------


def test_flood_control_is_retried_after_retry_after(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, _ = telegram()
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("hello")  # initialized (getMe) before the fault
    telegram_api.fail_next(1, 429, method="sendMessage")
    replies = jordan.say("I forgot my password")
    attempts = [c for c in telegram_api.calls_to("sendMessage") if "employee ID" in str(c.params["text"])]
    assert len(attempts) == 2 and attempts[1].at - attempts[0].at >= 0.9  # waited retry_after (1 s)
    assert len(replies) == 2 and replies[0] == replies[1]  # the refused attempt, then the delivered one


def test_server_errors_are_retried_then_given_up_without_losing_the_conversation(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
) -> None:
    app, core = telegram()
    add_employee(core)
    jordan = Person(app.test_client(), telegram_api, JORDAN)
    jordan.say("hello")
    telegram_api.fail_next(100, 500, method="sendMessage")
    before = len(telegram_api.calls_to("sendMessage"))
    jordan.say("I forgot my password")  # the webhook still answers 200 (asserted in say)
    assert len(telegram_api.calls_to("sendMessage")) - before == 3  # one try and two retries, then it stops
    telegram_api.clear_failures()
    methods = jordan.say("E1001")  # the conversation kept its place: the ID is taken
    assert "email" in [b.get("callback_data") for b in buttons(methods[-1])]


def test_a_failed_delete_of_the_code_message_does_not_stop_the_reply(
    telegram: TelegramApp,
    telegram_api: FakeTelegramApi,
) -> None:
    app, core = telegram()
    telegram_api.fail_next(10, 500, method="deleteMessage")
    replies, _ = reach_reset_link(core, Person(app.test_client(), telegram_api, JORDAN))
    assert len(telegram_api.calls_to("deleteMessage")) == 3
    assert any("url" in b for b in buttons(replies[-1]))


# -- long polling, lifecycle, rendering ----------------------------------------------------------------


def test_long_polling_feeds_updates_to_the_same_handlers(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, _ = telegram(telegram_webhook_secret=None)
    queued = message_update(JORDAN, "I forgot my password")
    telegram_api.queue_update(queued)
    for start in wiring(app).background():
        start()
    telegram_api.wait_for(lambda api: any("employee ID" in t for t in api.sent_texts()))
    assert telegram_api.calls_to("deleteWebhook")
    polls = telegram_api.calls_to("getUpdates")
    assert polls[0].params["allowed_updates"] == ["message", "callback_query"] and polls[0].params["timeout"] == 30
    telegram_api.wait_for(lambda api: len(api.calls_to("getUpdates")) >= 2)  # then it asks past that update
    assert "offset" not in polls[0].params
    assert telegram_api.calls_to("getUpdates")[1].params["offset"] == queued["update_id"] + 1


def test_close_stops_the_loop_thread_and_is_idempotent(telegram: TelegramApp, telegram_api: FakeTelegramApi) -> None:
    app, _ = telegram()
    Person(app.test_client(), telegram_api, JORDAN).say("hello")
    channel: TelegramChannel = wiring(app).channel(TelegramChannel)
    thread = channel.loop.thread
    assert thread is not None and thread.is_alive()
    channel.close()
    channel.close()
    assert not thread.is_alive()
    channel.deliver(str(JORDAN), [Reply("late")])  # after shutdown: dropped, not raised


def test_render_keeps_callback_data_within_64_bytes() -> None:
    long_value = "v" * 65
    reply = Reply(
        "Pick one",
        choices=(("Short", "ok"), ("Label instead", long_value), ("x" * 70, long_value)),
        link=Link("https://example.com/reset/t", "Open"),
    )
    [(text, markup)] = render(reply)
    assert text == "Pick one" and markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert [b.get("callback_data") for row in rows for b in row] == ["ok", "Label instead", None]
    assert rows[-1][0]["url"] == "https://example.com/reset/t"
    [(as_text, no_link)] = render(reply, link_button=False)
    assert as_text.endswith("Open: https://example.com/reset/t") and no_link is not None
    assert len(render(Reply("y" * 5000))) == 2


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

# ruff: noqa: F811  (the fixtures are imported from tests/support/telegram.py, then used as arguments)
"""The Telegram channel against a local fake Bot API: flood control and server errors retried or given up,
long polling, closing the loop thread, and rendering replies as Telegram messages."""

from __future__ import annotations

from app import wiring
from bot.messages import Link, Reply
from channels.telegram import TelegramChannel
from channels.telegram.render import render
from tests.core.conftest import add_employee
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.telegram import (  # noqa: F401 (fixtures)
    JORDAN,
    Person,
    TelegramApp,
    buttons,
    message_update,
    reach_reset_link,
    telegram,
    telegram_api,
)

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

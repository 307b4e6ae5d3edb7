# ruff: noqa: F811  (fixtures are imported from tests/channels and tests/browser, then used as arguments)
"""Channel forgery: requests that claim to come from Slack or Telegram and do not, or come twice.

Each attack goes end to end through the Flask app (slack-bolt and python-telegram-bot included) and checks
that nothing was posted back and no state changed. tests/channels covers the basic refusals; these add
replays (sequential and concurrent), captured requests replayed after the window, signatures for another
body, header spelling, and other people in the same chat.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app import Core
from core.storage.models import OneTimeCode, ProcessedEvent, ResetToken
from tests.channels.conftest import make_app  # noqa: F401 (fixture)
from tests.channels.test_slack import USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)
from tests.core.conftest import add_employee, last_outbox_code
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi
from tests.support.slack import SIGNING_SECRET, buttons, sign, text_of
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

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def rows(core: Core, model: Any) -> int:
    with core.database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def person_said(slack: Slack) -> list[str]:
    conversation = slack.conversation()
    return [] if conversation is None else [e["text"] for e in conversation.transcript if e["from"] == "person"]


def concurrently(app: Flask, count: int, send: Any) -> list[int]:
    """`send(client)` from `count` threads released together; their status codes."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def worker() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(send(client).status_code)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


# -- Slack: signatures ------------------------------------------------------------------------------------


def assert_slack_untouched(slack: Slack) -> None:
    assert slack.api.calls == []  # not even users.info: nothing ran
    assert slack.conversation() is None
    assert rows(slack.core, ProcessedEvent) == 0  # and the event id was not used up


def test_slack_signature_made_for_another_body_is_refused(slack: Slack) -> None:
    harmless = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0HARMLESS")
    wanted = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"), event_id="Ev0WANTED01")
    response = slack.ws.post(wanted, content_type=JSON, headers=sign(harmless), signed=False)
    assert response.status_code == 401
    assert_slack_untouched(slack)


def test_slack_signature_with_its_timestamp_moved_is_refused(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    captured = sign(body, timestamp=int(time.time()) - 3600)  # a real signature, an hour old
    fresh = captured | {"X-Slack-Request-Timestamp": str(int(time.time()))}
    assert slack.ws.post(body, content_type=JSON, headers=fresh, signed=False).status_code == 401
    assert_slack_untouched(slack)


@pytest.mark.parametrize(
    "timestamp",
    ["far future", "six minutes ahead", "", "-1", "9" * 40, "１７００００００００", "¹⁷⁰⁰⁰⁰⁰⁰⁰⁰", "1e9", " 1700000000"],
)
def test_slack_future_or_malformed_timestamps_are_refused(slack: Slack, timestamp: str) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    now = int(time.time())
    if timestamp == "far future":
        headers = sign(body, timestamp=now + 86_400)
    elif timestamp == "six minutes ahead":
        headers = sign(body, timestamp=now + 6 * 60)
    else:  # signed over the odd timestamp itself, so only the timestamp check can refuse it
        digest = sign(body)["X-Slack-Signature"]
        headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": digest}
    response = slack.ws.post(body, content_type=JSON, headers=headers, signed=False)
    assert response.status_code == 401 and response.is_json
    assert_slack_untouched(slack)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s.replace("v0=", "v1="),  # another signature version
        lambda s: s.upper().replace("V0=", "v0="),  # hex in capitals is not the digest
        lambda s: s[:-2],  # a truncated digest
        lambda s: s + " ",  # padding
        lambda s: "v0=" + "0" * 64,
    ],
    ids=["version", "uppercase-hex", "truncated", "padded", "zeros"],
)
def test_slack_mangled_signatures_are_refused(slack: Slack, mangle: Any) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password"))
    headers = sign(body)
    headers["X-Slack-Signature"] = mangle(headers["X-Slack-Signature"])
    assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 401
    assert_slack_untouched(slack)


def test_slack_header_names_in_any_case_are_the_same_headers(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"))
    lower = {name.lower(): value for name, value in sign(body, secret="guessed").items()}
    assert slack.ws.post(body, content_type=JSON, headers=lower, signed=False).status_code == 401
    assert_slack_untouched(slack)
    # A forged lower-case pair did not shadow the real check; a genuine lower-case pair is Slack's request.
    genuine = {name.lower(): value for name, value in sign(body, secret=SIGNING_SECRET).items()}
    assert slack.ws.post(body, content_type=JSON, headers=genuine, signed=False).status_code == 200
    assert len(slack.ws.new_messages()) == 1


# -- Slack: replays ---------------------------------------------------------------------------------------


def test_slack_replayed_signed_event_is_processed_once(slack: Slack) -> None:
    slack.ws.dm(USER, "reset my password")
    body = slack.ws.event_body(slack.ws.dm_event(USER, "E1001"), event_id="Ev0CAPTURED")
    headers = sign(body)  # captured on the wire: a valid signature, well within the 5 minutes
    for _ in range(3):
        assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 200
    assert len(slack.ws.new_messages()) == 1  # one answer to "E1001"
    assert person_said(slack) == ["reset my password", "E1001"]


def test_slack_replayed_event_from_many_workers_at_once_is_processed_once(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0CONCURRENT")
    headers = sign(body)
    statuses = concurrently(
        slack.app,
        6,
        lambda client: client.post("/slack/events", data=body, content_type=JSON, headers=headers),
    )
    assert statuses == [200] * 6
    assert len(slack.api.calls_to("chat.postMessage")) == 1 and person_said(slack) == ["hi"]


def test_slack_replayed_button_click_is_counted_once(slack: Slack) -> None:
    slack.ws.dm(USER, "hi")
    click = slack.ws.click_body(USER, "reset")
    headers = sign(click)
    for _ in range(3):
        assert slack.ws.post(click, content_type=FORM, headers=headers, signed=False).status_code == 200
    [question] = slack.ws.new_messages()
    assert text_of(question) == "Is this about your account e1001user?"
    assert len(slack.api.calls_to("chat.update")) == 1
    assert person_said(slack) == ["hi", "reset"]


def test_slack_request_replayed_after_the_window_is_refused(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    import slack_sdk.signature

    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"), event_id="Ev0FIRST")
    headers = sign(body)
    # The same bytes, re-sent six minutes later (after the event ledger might have been trimmed).
    later = time.time() + 6 * 60
    monkeypatch.setattr(slack_sdk.signature.Clock, "now", lambda self: later)
    with slack.core.database.transaction() as session:
        session.execute(delete(ProcessedEvent))
    assert slack.ws.post(body, content_type=JSON, headers=headers, signed=False).status_code == 401
    assert_slack_untouched(slack)


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


def test_slack_someone_elses_event_in_my_dm_is_their_own_conversation(slack: Slack, slack_api: FakeSlackApi) -> None:
    slack.ws.dm(USER, "reset my password")
    slack.ws.dm(USER, "E1001")
    slack.ws.click(USER, "email")
    code = last_outbox_code(slack.core)
    other = "U0MALLORY1"
    slack_api.add_user(other, email="mallory@example.com")
    event = slack.ws.dm_event(USER, code) | {"user": other}  # Mallory's message, in Jordan's DM channel
    assert slack.ws.send_event(event).status_code == 200
    posted = slack.ws.new_messages()
    assert all(not any("/reset/" in str(b) for b in m.get("blocks", [])) for m in posted)
    assert not any(buttons(m) and "/reset/" in str(m) for m in posted)
    conversation = slack.conversation()
    assert conversation is not None and conversation.state == "enter_code" and rows(slack.core, ResetToken) == 0

# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""The Slack channel through the real Flask app and slack-bolt: signed requests in, a fake Web API out."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import urlsplit

import pytest

from app import wiring
from bot.messages import Link, Reply
from channels.slack import SlackChannel, socket_mode_handler
from channels.slack.render import message_args, plain_text
from core.types import ResetStatus
from tests.core.conftest import add_employee, last_outbox_code, outbox_count
from tests.support.slack import buttons, link_url, sign, text_of
from tests.support.slack_app import FORM, USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

NEW_PASSWORD = "plum orbit cascade 71 hinge"
APP_TOKEN = "xapp-1-A0RESETDSK-1111-" + "ab" * 32


# -- a whole recovery ------------------------------------------------------------------------------------------


def test_a_full_recovery_by_dm_with_buttons(slack: Slack) -> None:
    greeting = only(slack.ws.dm(USER, "hi"))
    assert greeting["channel"] == slack.dm
    assert ("Reset my password", "reset") in buttons(greeting)

    question = only(slack.ws.click(USER, "reset"))
    assert text_of(question) == "Is this about your account e1001user?"
    # The pressed message now says what was chosen and has no buttons left to press.
    pressed = slack.api.messages[(slack.dm, slack.api.calls_to("chat.update")[-1].args["ts"])]
    assert buttons(pressed) == [] and text_of(pressed) == text_of(greeting)
    assert pressed["blocks"][-1]["elements"][0]["text"] == "You chose: *Reset my password*"

    methods = only(slack.ws.dm(USER, "E1001"))
    assert ("Email me a code", "email") in buttons(methods)
    code_prompt = only(slack.ws.click(USER, "email"))
    assert "sent a 6-digit code" in text_of(code_prompt)

    verified = only(slack.ws.dm(USER, last_outbox_code(slack.core)))
    url = link_url(verified)
    assert url is not None and url.startswith(slack.core.settings.public_url + "/reset/")
    assert url not in verified["text"] and url not in text_of(verified)  # a button, not text

    # Slack also tells the app about a URL button; it is acknowledged and nothing else happens.
    opened = slack.ws.post(slack.ws.click_body(USER, action_id="resetdesk_link"), content_type=FORM)
    assert opened.status_code == 200 and slack.ws.new_messages() == []

    outcome = slack.core.recovery.complete_reset(urlsplit(url).path.rsplit("/", 1)[-1], NEW_PASSWORD, NEW_PASSWORD)
    assert outcome.status is ResetStatus.DONE
    wiring(slack.app).engine.reset_completed(outcome)
    done = only(slack.ws.new_messages())
    assert done["channel"] == slack.dm and "Your password has been changed" in text_of(done)
    assert slack.api.calls_to("conversations.open")[-1].args["users"] == USER


def test_the_workspace_email_proposes_the_account_but_is_not_verification(slack: Slack) -> None:
    assert text_of(only(slack.ws.dm(USER, "I forgot my password"))) == "Is this about your account e1001user?"
    assert text_of(only(slack.ws.click(USER, "yes"))) == "How would you like to confirm it's you?"
    assert outbox_count(slack.core) == 0


@pytest.mark.parametrize("email", [None, "someone.else@example.com"])
def test_without_a_matching_workspace_email_the_bot_asks_for_the_account(make_slack, email: str | None) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack()
    add_employee(s.core)
    s.api.add_user(USER, email=email)
    assert text_of(only(s.ws.dm(USER, "I forgot my password"))) == "What is your employee ID or username?"


# -- request verification ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["forged", "stale", "future", "missing", "altered", "garbled timestamp"])
def test_an_unverified_request_is_401_and_gets_no_reply(
    slack: Slack, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "reset my password, code 481516"), event_id="Ev0SAMEEVENT")
    now = int(time.time())
    headers = {
        "forged": sign(body, secret="not-the-signing-secret"),
        "stale": sign(body, timestamp=now - 5 * 60 - 30),
        "future": sign(body, timestamp=now + 5 * 60 + 30),
        "missing": {},
        "altered": sign(body),
        "garbled timestamp": sign(body) | {"X-Slack-Request-Timestamp": "soon"},
    }[case]
    sent = body.replace("reset my password", "reset E1002 instead") if case == "altered" else body
    with caplog.at_level(logging.DEBUG):
        response = slack.ws.post(sent, content_type="application/json", headers=headers, signed=False)
    assert response.status_code == 401
    assert slack.api.calls == [] and slack.conversation() is None
    assert "481516" not in caplog.text  # bolt would log the refused body at INFO
    # The refused request did not use up the event id: Slack's genuine delivery is still answered.
    assert slack.ws.post(body, content_type="application/json").status_code == 200
    assert len(slack.ws.new_messages()) == 1


def test_a_request_signed_four_minutes_ago_is_still_accepted(slack: Slack) -> None:
    body = slack.ws.event_body(slack.ws.dm_event(USER, "hi"))
    headers = sign(body, timestamp=int(time.time()) - 4 * 60)
    assert slack.ws.post(body, content_type="application/json", headers=headers, signed=False).status_code == 200
    assert len(slack.ws.new_messages()) == 1


def test_an_unsigned_button_click_is_401(slack: Slack) -> None:
    slack.ws.dm(USER, "hi")
    click = slack.ws.click_body(USER, "reset")
    response = slack.ws.post(click, content_type=FORM, headers=sign(click, secret="guessed"), signed=False)
    assert response.status_code == 401
    assert slack.ws.new_messages() == [] and slack.api.calls_to("chat.update") == []


def test_url_verification_echoes_the_challenge(slack: Slack) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge, "type": "url_verification"})
    response = slack.ws.post(body, content_type="application/json")
    assert response.status_code == 200 and response.get_json() == {"challenge": challenge}
    assert slack.ws.post(body, content_type="application/json", signed=False).status_code == 401


# -- redeliveries -----------------------------------------------------------------------------------------------


def test_a_retried_event_is_processed_once(slack: Slack) -> None:
    event = slack.ws.dm_event(USER, "hi")
    assert slack.ws.send_event(event, event_id="Ev0RETRIED1").status_code == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert slack.ws.send_event(event, event_id="Ev0RETRIED1", headers=retry).status_code == 200
    assert (
        slack.ws.send_event(event, event_id="Ev0RETRIED1", headers=retry | {"X-Slack-Retry-Num": "2"}).status_code
        == 200
    )
    assert len(slack.ws.new_messages()) == 1
    conversation = slack.conversation()
    assert conversation is not None and [e["text"] for e in conversation.transcript if e["from"] == "person"] == ["hi"]
    # The same words in a new event are a new message.
    assert len(slack.ws.dm(USER, "hi")) == 1


def test_a_message_counts_one_click(slack: Slack) -> None:
    slack.ws.dm(USER, "hi")
    reset, unlock = slack.ws.click_body(USER, "reset"), slack.ws.click_body(USER, "unlock")
    assert slack.ws.post(reset, content_type=FORM).status_code == 200
    assert text_of(only(slack.ws.new_messages())) == "Is this about your account e1001user?"
    for again in (reset, unlock):  # a double click, or another button of the already answered message
        assert slack.ws.post(again, content_type=FORM).status_code == 200
    assert slack.ws.new_messages() == [] and len(slack.api.calls_to("chat.update")) == 1


# -- where recovery does not run -----------------------------------------------------------------------------------


def test_a_channel_mention_gets_a_threaded_invitation_to_dm(slack: Slack) -> None:
    slack.api.add_channel("C0GENERAL1")
    ts = f"{time.time():.6f}"
    mention = {
        "type": "app_mention",
        "user": USER,
        "text": "<@U0RESETBOT> reset my password please, I'm E1001",
        "ts": ts,
        "channel": "C0GENERAL1",
        "event_ts": ts,
    }
    assert slack.ws.send_event(mention).status_code == 200
    invite = only(slack.ws.new_messages())
    assert invite["channel"] == "C0GENERAL1" and invite["thread_ts"] == ts
    assert "direct message" in invite["text"]
    assert [c.method for c in slack.api.calls] == ["chat.postMessage"]
    assert slack.conversation() is None and outbox_count(slack.core) == 0
    # A mention inside the bot's DM is an ordinary message there (message.im answers it), not a second reply.
    in_dm = mention | {"channel": slack.dm}
    assert slack.ws.send_event(in_dm).status_code == 200 and slack.ws.new_messages() == []


@pytest.mark.parametrize(
    "change",
    [
        {"channel": "C0GENERAL1", "channel_type": "channel"},  # a shared channel
        {"channel": "G0PRIVATE1", "channel_type": "mpim"},  # a group DM
        {"bot_id": "B0RESETBOT", "user": "U0RESETBOT"},  # our own reply coming back
        {"subtype": "message_changed"},  # an edit
        {"text": ""},  # a file without words
    ],
)
def test_other_messages_are_ignored(slack: Slack, change: dict[str, str]) -> None:
    event = slack.ws.dm_event(USER, "reset my password") | change
    assert slack.ws.send_event(event).status_code == 200
    assert slack.api.calls == [] and slack.conversation() is None


# -- Slack's Web API failing --------------------------------------------------------------------------------------


def test_a_rate_limited_reply_is_sent_after_retry_after(slack: Slack) -> None:
    slack.api.fail_next(1, 429, method="chat.postMessage", retry_after=1)
    started = time.monotonic()
    greeting = only(slack.ws.dm(USER, "hi"))
    assert time.monotonic() - started >= 1
    assert "ResetDesk" in text_of(greeting)
    assert [c.status for c in slack.api.calls_to("chat.postMessage")] == [429, 200]


def test_slack_failing_loses_no_conversation(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    slack.ws.dm(USER, "reset my password")
    slack.ws.dm(USER, "E1001")
    click = slack.ws.click_body(USER, "email")
    slack.api.fail_next(100, 500)
    with caplog.at_level(logging.WARNING):
        assert slack.ws.post(click, content_type=FORM).status_code == 200
    assert slack.ws.new_messages() == []
    # Retried, then given up: one reply tried (not the rest of the turn), the error logged without text.
    assert [c.status for c in slack.api.calls_to("chat.postMessage")][-3:] == [500, 500, 500]
    assert "Slack chat.postMessage failed: internal_error" in caplog.text
    slack.api.clear_failures()

    code = last_outbox_code(slack.core)  # the turn went through: the code was sent
    assert code not in caplog.text and "sent a" not in caplog.text
    verified = only(slack.ws.dm(USER, code))
    assert link_url(verified) is not None


def test_slack_gets_its_answer_before_the_work_is_done(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack(before_response=False)  # production: ack first, work after
    s.api.add_user(USER)
    s.api.delays["users.info"] = 2.0
    started = time.monotonic()
    assert s.ws.send_event(s.ws.dm_event(USER, "hi")).status_code == 200
    assert time.monotonic() - started < 1.5 and s.api.posted() == []
    deadline = time.monotonic() + 15
    while not s.api.posted() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "ResetDesk" in text_of(only(s.ws.new_messages()))


def test_a_long_message_is_not_refused_for_its_size(slack: Slack) -> None:
    # Slack allows 40,000 characters; the app's default body limit for the web chat is 8 KiB.
    response = slack.ws.send_event(slack.ws.dm_event(USER, "hello " * 2000))
    assert response.status_code == 200 and len(slack.ws.new_messages()) == 1


# -- Socket Mode --------------------------------------------------------------------------------------------------


def test_socket_mode_is_a_background_start_and_needs_no_http_endpoint(make_slack) -> None:  # type: ignore[no-untyped-def]
    s: Slack = make_slack(slack_signing_secret=None, slack_app_token=APP_TOKEN)
    assert len(wiring(s.app).background()) == 1
    # Without a signing secret nothing could be verified, so there is no HTTP endpoint.
    assert s.ws.post("{}", content_type="application/json").status_code == 404
    bolt = wiring(s.app).channel(SlackChannel).bolt
    handler = socket_mode_handler(bolt, APP_TOKEN)
    try:
        assert handler.app is bolt and handler.client.app_token == APP_TOKEN
        assert handler.client.web_client.base_url == s.api.url
    finally:
        handler.client.close()
    assert s.api.calls == []


def test_http_mode_alone_starts_nothing_in_the_background(slack: Slack) -> None:
    assert wiring(slack.app).background() == []


# -- rendering --------------------------------------------------------------------------------------------------


def test_reply_text_is_escaped_so_it_cannot_ping_or_link() -> None:
    reply = Reply("Hi <!channel> & <https://evil.example|sign in>", choices=(("Yes", "yes"), ("No", "no")))
    args = message_args(reply)
    escaped = "Hi &lt;!channel&gt; &amp; &lt;https://evil.example|sign in&gt;"
    assert args["text"] == escaped and args["blocks"][0]["text"] == {
        "type": "mrkdwn",
        "text": escaped,
        "verbatim": True,
    }
    actions = args["blocks"][1]["elements"]
    assert [(b["action_id"], b["value"]) for b in actions] == [
        ("resetdesk_choice_0", "yes"),
        ("resetdesk_choice_1", "no"),
    ]


def test_a_link_is_a_url_button() -> None:
    args = message_args(Reply("Open this", link=Link("https://portal.example/reset/t0k3n", "Set a new password")))
    [button] = args["blocks"][-1]["elements"]
    assert button["url"] == "https://portal.example/reset/t0k3n" and button["text"]["text"] == "Set a new password"
    assert "t0k3n" not in args["text"]


def test_what_people_type_loses_slack_markup(slack: Slack) -> None:
    assert plain_text("Tom &amp; Jerry &lt;3 &gt;_&lt;") == "Tom & Jerry <3 >_<"
    assert (
        plain_text("<mailto:j@example.com|j@example.com> <https://example.com>") == "j@example.com https://example.com"
    )
    slack.ws.dm(USER, "Tom &amp; Jerry &lt;3")
    conversation = slack.conversation()
    assert conversation is not None and conversation.transcript[0]["text"] == "Tom & Jerry <3"


# -- live support relay ------------------------------------------------------------------------------------


def test_an_agent_and_a_slack_user_talk_both_ways(slack: Slack) -> None:
    from bot.relay import SupportRelay

    slack.ws.dm(USER, "hi")
    reply = only(slack.ws.dm(USER, "I need a human"))
    reference = re.search(r"RD-[0-9A-Z]{6}", text_of(reply))
    assert reference is not None
    agent = slack.core.support.create_agent("sam", "Sam", "agent password for tests")
    assert slack.core.support.take(reference.group(0), agent)
    relay = SupportRelay(wiring(slack.app).engine, slack.core.support, slack.core.recovery)
    assert relay.say(reference.group(0), agent, "Hi, Sam from IT here")
    pushed = only(slack.ws.new_messages())
    assert pushed["channel"] == slack.dm and "IT support" in text_of(pushed) and "Sam from IT here" in text_of(pushed)
    assert slack.ws.dm(USER, "thanks, my phone is lost") == []  # quiet bot: a person has it
    lines = slack.core.support.view(reference.group(0)).messages
    assert ("person", "thanks, my phone is lost") in [(m["sender"], m["text"]) for m in lines]


def test_a_new_ticket_alerts_the_support_channel_with_a_take_button(make_slack) -> None:  # type: ignore[no-untyped-def]
    slack: Slack = make_slack(support_slack_channel="C0SUPPORT", support_email="unused@example.com")
    slack.api.add_channel("C0SUPPORT")
    slack.api.add_user(USER, email="someone@example.com")
    slack.ws.dm(USER, "hi")
    slack.ws.dm(USER, "agent")
    alerts = [m for m in slack.api.posted() if m["channel"] == "C0SUPPORT"]
    assert len(alerts) == 1
    reference = re.search(r"RD-[0-9A-Z]{6}", text_of(alerts[0]))
    assert reference is not None
    take = [b for block in alerts[0]["blocks"] if block["type"] == "actions" for b in block["elements"]]
    assert take[0]["text"]["text"] == "Take"
    assert take[0]["url"] == f"{slack.core.settings.public_url}/agent/tickets/{reference.group(0)}"
    slack.ws.dm(USER, "hello?")
    assert len([m for m in slack.api.posted() if m["channel"] == "C0SUPPORT"]) == 1  # one ticket, one alert

# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""The Slack channel through the real Flask app and slack-bolt: signed requests in, a fake Web API out.

The whole journeys: a recovery by DM with buttons, and a person talking to an agent. The fixtures (`slack`,
`make_slack`, `slack_api`) are in tests/support/slack_app.py."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app import wiring
from core.types import ResetStatus
from tests.core.conftest import add_employee, last_outbox_code, outbox_count
from tests.support.slack import buttons, link_url, text_of
from tests.support.slack_app import FORM, USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

NEW_PASSWORD = "plum orbit cascade 71 hinge"


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

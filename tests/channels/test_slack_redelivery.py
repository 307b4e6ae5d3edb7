# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Slack delivering twice: a retried event and a double click count once."""

from __future__ import annotations

from tests.support.slack import text_of
from tests.support.slack_app import FORM, USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

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

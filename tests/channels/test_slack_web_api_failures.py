# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Slack's Web API failing or slow: rate limits, errors, a slow answer and a long message lose no conversation."""

from __future__ import annotations

import logging
import time

import pytest

from tests.core.conftest import last_outbox_code
from tests.support.slack import link_url, text_of
from tests.support.slack_app import FORM, USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

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

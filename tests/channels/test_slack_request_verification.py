# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Slack's request signature: unverified requests are refused without a reply, genuine ones answered."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.support.slack import sign
from tests.support.slack_app import FORM, USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)

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

# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Where recovery does not run: a mention in a channel is invited to a DM; other messages are ignored."""

from __future__ import annotations

import time

import pytest

from tests.core.conftest import outbox_count
from tests.support.slack_app import USER, Slack, make_slack, only, slack, slack_api  # noqa: F401 (fixtures)

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
    assert [c.method for c in slack.api.calls] == ["users.info", "chat.postMessage"]  # the locale: its language
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

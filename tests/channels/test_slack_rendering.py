# ruff: noqa: F811  (fixtures are imported from tests/support/slack_app.py, then used as arguments)
"""Rendering: replies are escaped, links are URL buttons, and what people type loses Slack's markup."""

from __future__ import annotations

from bot.messages import Link, Reply
from channels.slack.render import message_args, plain_text
from tests.support.slack_app import USER, Slack, make_slack, slack, slack_api  # noqa: F401 (fixtures)

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

"""Slack text both ways: a Reply -> chat.postMessage arguments (Block Kit), and a person's message -> plain text."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply
from dialogs.prompts import TEXT

__all__ = [
    "CHOICES_BLOCK",
    "CHOICE_ACTION",
    "CHOICE_ACTION_PATTERN",
    "LINK_ACTION",
    "chosen_blocks",
    "escape",
    "message_args",
    "plain_text",
]

CHOICE_ACTION = "resetdesk_choice_{n}"  # one per button of a message; Slack wants action_ids unique in a message
CHOICE_ACTION_PATTERN = re.compile(r"^resetdesk_choice_\d+$")
CHOICES_BLOCK = "resetdesk_choices"
LINK_ACTION = "resetdesk_link"
LINK_BLOCK = "resetdesk_link"

# Block Kit limits (https://docs.slack.dev/reference/block-kit): section text 3000, button text 75,
# button value 2000, 25 elements in an actions block.
_SECTION_MAX = 3000
_BUTTON_TEXT_MAX = 75
_BUTTON_VALUE_MAX = 2000
_BUTTONS_MAX = 25

# <https://example.com|label>, <mailto:a@b.c|a@b.c>, <@U123>, <#C123|general>: Slack's markup in what people type
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Slack's escaping for mrkdwn: only &, < and > are control characters. After this, text from a person
    or the directory cannot ping @channel, mention anyone or make a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(text: str) -> str:
    """What the person typed, without Slack's markup: links become their label (or URL), entities are decoded."""
    text = _MARKUP.sub(lambda m: m[2] if m[2] is not None else m[1], text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _button_text(label: str) -> dict[str, Any]:
    if len(label) > _BUTTON_TEXT_MAX:
        label = label[: _BUTTON_TEXT_MAX - 1] + "…"
    return {"type": "plain_text", "text": label, "emoji": True}


def message_args(reply: Reply) -> dict[str, Any]:
    """chat.postMessage arguments for one reply: an escaped fallback `text` (notifications) and blocks."""
    text = escape(reply.text)
    if reply.author == "agent":
        text = f"*{TEXT['agent_label']}:* {text}"
    blocks: list[dict[str, Any]] = [
        # verbatim: no auto-linking of URLs or channel names in our own text either
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:_SECTION_MAX], "verbatim": True}}
    ]
    buttons = [
        {
            "type": "button",
            "action_id": CHOICE_ACTION.format(n=n),
            "text": _button_text(label),
            "value": value[:_BUTTON_VALUE_MAX],
        }
        for n, (label, value) in enumerate(reply.choices[:_BUTTONS_MAX])
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": CHOICES_BLOCK, "elements": buttons})
    if reply.link is not None:
        link_button = {
            "type": "button",
            "action_id": LINK_ACTION,
            "text": _button_text(reply.link.label),
            "url": reply.link.url,
            "style": "primary",
        }
        blocks.append({"type": "actions", "block_id": LINK_BLOCK, "elements": [link_button]})
    return {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}


def chosen_blocks(blocks: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The message's blocks with its choice buttons replaced by "You chose: <label>" (so they can't be pressed
    again). Other blocks, such as a link button, stay."""
    chosen = {
        "type": "context",
        "block_id": CHOICES_BLOCK,
        "elements": [{"type": "mrkdwn", "text": f"You chose: *{escape(label)}*", "verbatim": True}],
    }
    return [chosen if block.get("block_id") == CHOICES_BLOCK else block for block in blocks]

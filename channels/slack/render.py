"""Slack text both ways: a Reply -> chat.postMessage arguments (Block Kit), and a person's message -> plain text."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply
from core.i18n import N_, translator
from dialogs.prompts import TEXT

__all__ = [
    "CHOICES_BLOCK",
    "CHOICE_ACTION",
    "CHOICE_ACTION_PATTERN",
    "LINK_ACTION",
    "PRIVATE_ACTION_PATTERN",
    "PRIVATE_BLOCK",
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
# A code or answer typed in the DM stays in its history (Slack can't delete a person's message): a prompt for one
# also gets a button that opens a modal (modal.py), whose input never becomes a message.
PRIVATE_ACTION = "resetdesk_private_{kind}"
PRIVATE_ACTION_PATTERN = re.compile(r"^resetdesk_private_(code|secret)$")
PRIVATE_BLOCK = "resetdesk_private"
PRIVATE_LABELS = {"code": N_("Enter the code privately"), "secret": N_("Answer privately")}  # in the reply's language
_YOU_CHOSE = N_("You chose: {label}")

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
        text = f"*{reply.in_its_language(TEXT.msgid('agent_label'))}:* {text}"
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
    if reply.expects in PRIVATE_LABELS:
        private = {
            "type": "button",
            "action_id": PRIVATE_ACTION.format(kind=reply.expects),
            "text": _button_text(reply.in_its_language(PRIVATE_LABELS[reply.expects])),
            "value": reply.lang,  # the modal's labels follow the prompt's language (modal.py)
            "style": "primary",
        }
        blocks.append({"type": "actions", "block_id": PRIVATE_BLOCK, "elements": [private]})
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


def chosen_blocks(blocks: list[dict[str, Any]], label: str, lang: str) -> list[dict[str, Any]]:
    """The message's blocks with its choice buttons replaced by "You chose: <label>" in `lang` (so they can't be
    pressed again), and without its private-entry button (the prompt is answered). Other blocks, such as a link,
    stay."""
    said = translator(lang).gettext(_YOU_CHOSE).format(label=f"*{escape(label)}*")
    chosen = {
        "type": "context",
        "block_id": CHOICES_BLOCK,
        "elements": [{"type": "mrkdwn", "text": said, "verbatim": True}],
    }
    return [
        chosen if block.get("block_id") == CHOICES_BLOCK else block
        for block in blocks
        if block.get("block_id") != PRIVATE_BLOCK
    ]

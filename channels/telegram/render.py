"""Reply -> Telegram messages: plain text (no parse_mode, so nothing a person typed can format a message),
choices as inline keyboard buttons, the reset link as a URL button."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Reply
from dialogs.prompts import TEXT

__all__ = ["MAX_CALLBACK_DATA_BYTES", "MAX_TEXT_CHARS", "OutgoingMessage", "keyboard", "render"]

log = logging.getLogger(__name__)

MAX_CALLBACK_DATA_BYTES = 64  # Bot API limit for callback_data
MAX_TEXT_CHARS = 4096  # Bot API limit for a message's text

OutgoingMessage = tuple[str, InlineKeyboardMarkup | None]


def _callback_data(label: str, value: str) -> str | None:
    """The value a button sends back; the label when the value is too long (typing either works)."""
    for data in (value, label):
        if data and len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            return data
    return None


def keyboard(reply: Reply, *, link_button: bool = True) -> InlineKeyboardMarkup | None:
    """One button per row: choice labels are short sentences that read badly side by side."""
    rows: list[list[InlineKeyboardButton]] = []
    for label, value in reply.choices:
        data = _callback_data(label, value)
        if data is None:
            log.warning("a choice is too long for a Telegram button; it can still be typed")
            continue
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    if reply.link is not None and link_button:
        rows.append([InlineKeyboardButton(reply.link.label, url=reply.link.url)])
    return InlineKeyboardMarkup(rows) if rows else None


def _chunks(text: str) -> list[str]:
    text = text or " "
    return [text[i : i + MAX_TEXT_CHARS] for i in range(0, len(text), MAX_TEXT_CHARS)]


def render(reply: Reply, *, link_button: bool = True) -> list[OutgoingMessage]:
    """The messages for one reply; the keyboard goes on the last. With link_button=False the link is
    written into the text instead (for a Bot API that refuses the URL in a button, e.g. a localhost URL)."""
    text = (
        f"{reply.in_its_language(TEXT.msgid('agent_label'))}: {reply.text}" if reply.author == "agent" else reply.text
    )
    if reply.link is not None and not link_button:
        text = f"{text}\n\n{reply.link.label}: {reply.link.url}"
    chunks = _chunks(text)
    messages: list[OutgoingMessage] = [(chunk, None) for chunk in chunks[:-1]]
    messages.append((chunks[-1], keyboard(reply, link_button=link_button)))
    return messages

"""The redacted transcript kept per conversation and handed to support with a ticket."""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Reply

__all__ = ["REDACTED", "bot_entries", "person_entry"]

REDACTED = "[redacted]"
_CODE_LIKE = re.compile(r"\d(?:[\s.-]?\d){5,}")  # six or more digits, spaced, dotted or dashed
MAX_ENTRIES = 200


def person_entry(text: str, *, expected: str, state: str, at: str) -> dict[str, Any]:
    """What the person said, with anything that may be a code or an answer replaced by "[redacted]".

    A reply to a code or secret prompt is redacted whole; elsewhere code-like digit runs are masked,
    except where an employee ID is asked for (IDs are not secrets and support needs them)."""
    if expected in ("code", "secret"):
        shown = REDACTED
    elif state == "identify":
        shown = text
    else:
        shown = _CODE_LIKE.sub(REDACTED, text)
    return {"from": "person", "text": shown, "at": at}


def bot_entries(replies: list[Reply], *, at: str) -> list[dict[str, Any]]:
    """The bot's side; a link is noted by its label only, since its URL holds a reset token."""
    return [{"from": "bot", "text": r.text + (f" [{r.link.label}]" if r.link else ""), "at": at} for r in replies]


def trim(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return transcript[-MAX_ENTRIES:]

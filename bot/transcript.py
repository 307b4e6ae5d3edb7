"""The redacted transcript kept per conversation and handed to support with a ticket.

What the person said is masked here, once, before anything keeps it: the transcript (tickets, the agent
console), the web chat's history (Turn.person_text) and what a hand-off relays to an agent all read this entry.
"""

from __future__ import annotations

import re
from typing import Any

from bot.commands import exact_command
from bot.messages import Reply
from dialogs.states import STATE_EXPECTS, State
from dialogs.understanding import is_switch_request

__all__ = ["REDACTED", "bot_entries", "mask_free_text", "password_like", "person_entry"]

REDACTED = "[redacted]"
_CODE_LIKE = re.compile(r"\d(?:[\s.-]?\d){5,}")  # six or more digits, spaced, dotted or dashed
# A reset link (core/secrets/links.py: <public url>/reset/<token>), with or without its scheme and host, and a
# bare token of its shape (32 random bytes as URL-safe base64: 43 characters, upper and lower case; no digit is
# required, since a random token may lack one). Masked wherever it is typed.
_RESET_URL = re.compile(r"\S*/reset/\S+", re.IGNORECASE)
_BARE_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*[a-z])(?=[\w-]*[A-Z])[\w-]{40,}(?![\w-])")
_WORD = re.compile(r"\S+")
_EDGES = ".,;:!?\"'()[]<>"  # sentence punctuation around a word, not part of what is judged
_MARKUP = "<>=/\\"  # a word with these is markup, code, a path or a URL: shown as typed (support reads it)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_EMPLOYEE_ID = re.compile(r"^[A-Za-z]{1,4}-?\d{2,10}$")  # E1234, EMP-004211
_USERNAME = re.compile(r"^[a-z]+(?:[._'-][a-z]+)*\d{0,4}$")  # asmith, jane.doe2 (also words: self-service)
MAX_ENTRIES = 200


def password_like(word: str) -> bool:
    """Whether one whitespace-free word looks like a password, judged conservatively (few false alarms):

    8-64 characters (sentence punctuation around it aside), with a lowercase letter and at least two of
    uppercase letters, digits and symbols; that is, three of the four character classes, as a typical
    complexity policy (Active Directory's) forces. Not an email address, an employee ID (E1234) or a username
    (asmith, jane.doe2), nor markup, code, a path or a URL (any of < > = / \\); a ticket reference (RD-7KQ2XM)
    has no lowercase letter.
    "Summer2024!" and "P@ssw0rd" are password-like; "Thanks!!", "asmith2024" and "hunter2" are not.
    """
    core = word.strip(_EDGES)
    if not 8 <= len(core) <= 64 or any(ch in _MARKUP for ch in core):
        return False
    if _EMAIL.match(core) or _EMPLOYEE_ID.match(core) or _USERNAME.match(core):
        return False
    if not any(ch.islower() for ch in core):
        return False
    others = (
        any(ch.isupper() for ch in core),
        any(ch.isdigit() for ch in core),
        any(not ch.isalnum() for ch in core),
    )
    return sum(others) >= 2


def mask_free_text(text: str, *, passwords: bool) -> str:
    """Reset links (and tokens of their shape) masked always; password-like words too when `passwords`."""
    text = _BARE_TOKEN.sub(REDACTED, _RESET_URL.sub(REDACTED, text))
    if passwords:
        text = _WORD.sub(lambda m: REDACTED if password_like(m.group()) else m.group(), text)
    return text


def person_entry(text: str, *, expected: str, state: str, at: str) -> dict[str, Any]:
    """What the person said, with anything that may be a secret replaced by "[redacted]".

    Only what could be a secret is masked. At the code prompt, anything with a digit in it is redacted whole
    ("resend", "help" or "another way" is shown); at a question, every answer is, but not a command the step
    takes instead of an answer ("help", "another way", "agent", "cancel", "restart"). Elsewhere a reset link
    is masked wherever it is typed; code-like digit runs are masked except where an employee ID is asked for
    (IDs are not secrets and support needs them); and during a hand-off, where every word goes to a person,
    password-like words too. `expected` is what the last reply asked for; the state's own prompt decides first.
    """
    asked = STATE_EXPECTS.get(State(state), expected)
    if asked == "code":
        shown = REDACTED if any(ch.isdigit() for ch in text) else mask_free_text(text, passwords=True)
    elif asked == "secret":
        shown = text if exact_command(text) or is_switch_request(text) else REDACTED
    elif state == State.IDENTIFY:
        shown = mask_free_text(text, passwords=False)
    else:
        shown = _CODE_LIKE.sub(REDACTED, mask_free_text(text, passwords=state == State.HANDOFF))
    return {"from": "person", "text": shown, "at": at}


def bot_entries(replies: list[Reply], *, at: str) -> list[dict[str, Any]]:
    """The bot's side; a link is noted by its label only, since its URL holds a reset token."""
    return [{"from": "bot", "text": r.text + (f" [{r.link.label}]" if r.link else ""), "at": at} for r in replies]


def trim(transcript: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return transcript[-MAX_ENTRIES:]

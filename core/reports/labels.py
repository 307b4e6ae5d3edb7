"""Words for the codes stored in audit rows, as the reports page shows them."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = ["PERIODS", "channel_words", "method_words"]

PERIODS: Final = (7, 30, 90)  # the periods a report covers, in days

_METHODS: Final = MappingProxyType(
    {
        "sms": "SMS code",
        "email": "email code",
        "code": "one-time code",  # rows written before the code's method was recorded
        "questions": "security questions",
        "agent": "a support agent verified them",
    }
)
_CHANNELS: Final = MappingProxyType(
    {"web": "web chat", "slack": "Slack", "telegram": "Telegram", "terminal": "terminal"}
)


def method_words(code: str | None) -> str:
    """ "email+questions" (each step that verified, in order) -> "email code + security questions"."""
    if not code:
        return "not recorded"
    return " + ".join(_METHODS.get(step, step) for step in code.split("+"))


def channel_words(code: str | None) -> str:
    return _CHANNELS.get(code, code) if code else "not recorded"

"""Words for the codes stored in audit rows, as the reports page shows them (in the reader's language)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from core.i18n import N_, gettext

__all__ = ["NOT_RECORDED", "PERIODS", "channel_words", "method_words"]

PERIODS: Final = (7, 30, 90)  # the periods a report covers, in days
NOT_RECORDED: Final = N_("not recorded")

_METHODS: Final = MappingProxyType(
    {
        "sms": N_("SMS code"),
        "email": N_("email code"),
        "code": N_("one-time code"),  # rows written before the code's method was recorded
        "questions": N_("security questions"),
        "agent": N_("a support agent verified them"),
    }
)
_CHANNELS: Final = MappingProxyType(
    {"web": N_("web chat"), "slack": "Slack", "telegram": "Telegram", "terminal": N_("terminal")}
)


def method_words(code: str | None) -> str:
    """ "email+questions" (each step that verified, in order) -> "email code + security questions"."""
    if not code:
        return gettext(NOT_RECORDED)
    return " + ".join(gettext(_METHODS[step]) if step in _METHODS else step for step in code.split("+"))


def channel_words(code: str | None) -> str:
    if not code:
        return gettext(NOT_RECORDED)
    return gettext(_CHANNELS[code]) if code in _CHANNELS else code

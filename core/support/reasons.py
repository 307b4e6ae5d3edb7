"""Why a person was handed to live support, in words an agent reads in the console (not the stored code)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from core.i18n import N_
from core.types import HandoffReason

__all__ = ["REASON_WORDS", "reason_words"]

# Every HandoffReason needs words here: a test over every member fails when a new reason has none.
REASON_WORDS: Final = MappingProxyType(
    {
        HandoffReason.ASKED: N_("asked for a person"),
        HandoffReason.NO_METHOD: N_("no verification method on file"),
        HandoffReason.PROVIDER_DOWN: N_("code delivery is down (email or SMS provider)"),
        HandoffReason.VERIFICATION_LOCKED: N_("self-service verification locked after failed tries"),
        HandoffReason.NOT_UNDERSTOOD: N_("the bot did not understand them"),
        HandoffReason.DIRECTORY_DOWN: N_("the directory was unavailable"),
        HandoffReason.METHODS_UNUSABLE: N_("can use none of the verification methods on file"),
    }
)


def reason_words(code: str) -> str:
    """The words for a stored reason code; an unknown code (from a newer version) is shown as it is."""
    try:
        return REASON_WORDS[HandoffReason(code)]
    except (ValueError, KeyError):
        return code

"""Hand-off reasons in words for the console: every reason has them (a new reason without words fails here)."""

from __future__ import annotations

import pytest

from core.support.reasons import REASON_WORDS, reason_words
from core.types import HandoffReason


@pytest.mark.parametrize("reason", list(HandoffReason))
def test_every_handoff_reason_has_words(reason: HandoffReason) -> None:
    words = REASON_WORDS.get(reason)
    assert words, f"HandoffReason.{reason.name} has no words in core/support/reasons.py"
    assert reason_words(reason.value) == words
    assert "_" not in words and words != reason.value


def test_no_words_for_reasons_that_do_not_exist() -> None:
    assert set(REASON_WORDS) == set(HandoffReason)
    assert reason_words("no_method") == "no verification method on file"
    assert reason_words("from_a_newer_version") == "from_a_newer_version"  # shown as stored, never an error

"""Words that are data in the reader's language: spans of time in CLDR's short units, through Babel."""

from __future__ import annotations

import pytest

from core.i18n import PSEUDO, enable_pseudo, short_duration, use_language


@pytest.mark.parametrize(
    ("lang", "seconds", "words"),
    [
        ("en", 150, "2 min 30 sec"),
        ("en", 3900, "1 hr 5 min"),
        ("en", 40, "40 sec"),
        ("en", 0, "0 sec"),
        ("es", 150, "2 min 30 s"),
        ("es", 7200, "2 h"),
        ("de", 150, "2 Min. 30 Sek."),
        ("de", 3660, "1 Std. 1 Min."),
    ],
)
def test_a_span_is_in_the_readers_short_units(lang: str, seconds: int, words: str) -> None:
    with use_language(lang):
        assert short_duration(seconds) == words


def test_the_pseudo_locale_shows_spans_as_english_data() -> None:
    enable_pseudo()
    try:
        with use_language(PSEUDO):
            assert short_duration(61) == "1 min 1 sec"
    finally:
        enable_pseudo(False)

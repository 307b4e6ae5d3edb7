"""zxcvbn's feedback on a weak password, as catalog msgids, so it reaches the person in their language.

zxcvbn words its warnings and suggestions in English only (zxcvbn/feedback.py, through the stdlib gettext with no
catalog of ours). Each of its messages is repeated here, letter for letter, so `make translations` extracts them;
tests/core/test_password_policy.py fails when a zxcvbn upgrade adds or rewords one.
"""

from __future__ import annotations

from core.i18n import N_, current_language, gettext

__all__ = ["FEEDBACK", "in_words"]

FEEDBACK = frozenset(
    {
        N_("Use a few words, avoid common phrases."),
        N_("No need for symbols, digits, or uppercase letters."),
        N_("Add another word or two. Uncommon words are better."),
        N_("Straight rows of keys are easy to guess."),
        N_("Short keyboard patterns are easy to guess."),
        N_("Use a longer keyboard pattern with more turns."),
        N_('Repeats like "aaa" are easy to guess.'),
        N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        N_("Avoid repeated words and characters."),
        N_('Sequences like "abc" or "6543" are easy to guess.'),
        N_("Avoid sequences."),
        N_("Recent years are easy to guess."),
        N_("Avoid recent years."),
        N_("Avoid years that are associated with you."),
        N_("Dates are often easy to guess."),
        N_("Avoid dates and years that are associated with you."),
        N_("This is a top-10 common password."),
        N_("This is a top-100 common password."),
        N_("This is a very common password."),
        N_("This is similar to a commonly used password."),
        N_("A word by itself is easy to guess."),
        N_("Names and surnames by themselves are easy to guess."),
        N_("Common names and surnames are easy to guess."),
        N_("Capitalization doesn't help very much."),
        N_("All-uppercase is almost as easy to guess as all-lowercase."),
        N_("Reversed words aren't much harder to guess."),
        N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
    }
)


def in_words(message: str) -> str | None:
    """zxcvbn's `message` in the current language; None for one we have no words for (never shown in English
    to someone reading another language)."""
    if message in FEEDBACK:
        return gettext(message)
    return message if current_language() == "en" else None

"""Switching language mid-conversation: "español", "Deutsch", "english" pick one; "language", "idioma",
"Sprache" ask which. Whole-message requests only (a sentence that mentions German is about something else)."""

from __future__ import annotations

from core.i18n import DEFAULT_LANGUAGES
from dialogs.understanding import normalise, similar

__all__ = ["CHOOSE", "LANGUAGE_NAMES", "language_choices", "language_request"]

CHOOSE = "choose"  # the person asked which languages there are
# Each language named in itself: a button someone who can't read the current language still recognises.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "de": "Deutsch"}
_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "inglés", "ingles", "englisch", "in english", "en inglés", "auf englisch"),
    "es": ("español", "espanol", "castellano", "spanish", "spanisch", "en español", "auf spanisch", "in spanish"),
    "de": ("deutsch", "german", "alemán", "aleman", "auf deutsch", "in german", "en alemán"),
}
_ASK = frozenset(
    {"language", "languages", "change language", "other language", "idioma", "idiomas", "cambiar idioma",
     "otro idioma", "lengua", "sprache", "sprachen", "sprache ändern", "andere sprache"}
)  # fmt: skip


def language_request(text: str) -> str | None:
    """The language code a whole message asks for ("Deutsch" -> "de", typos too: "espanol", "deustch"),
    CHOOSE for "language"/"idioma"/"Sprache", or None."""
    clean = normalise(text).strip(" .!?¡¿")
    if len(clean) > 30:
        return None
    if clean in _ASK or any(_typo_of(clean, word) for word in _ASK):
        return CHOOSE
    for code, names in _NAMES.items():
        if clean in names or any(_typo_of(clean, name) for name in names):
            return code
    return None


def _typo_of(typed: str, word: str) -> bool:
    """A typo of a one-word name, for words long enough that a typo can't be a short username ("alan" is
    someone's username at the ID prompt, not "alemán")."""
    return (
        " " not in word and typed.isalpha() and len(typed) >= 6 and abs(len(typed) - len(word)) <= 1
        and similar(typed, word)
    )  # fmt: skip


def language_choices(languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> tuple[tuple[str, str], ...]:
    return tuple((LANGUAGE_NAMES.get(code, code), LANGUAGE_NAMES.get(code, code).lower()) for code in languages)

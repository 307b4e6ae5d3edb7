"""The catalogs: complete in every shipped language, placeholders kept, and in step with the code."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import DEFAULT_LANGUAGES, PSEUDO, TRANSLATIONS_DIR, enable_pseudo, negotiate, translator

SHIPPED = [lang for lang in DEFAULT_LANGUAGES if lang != "en"]
ROOT = TRANSLATIONS_DIR.parent


def _catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def problems(catalog: Catalog, template: Catalog) -> list[str]:
    """Every way `catalog` falls short of `template`: a message missing, untranslated, fuzzy, short of a
    plural form, or with a placeholder dropped, renamed or added."""
    found: list[str] = []
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id)
        if message is None or not message.string:
            found.append(f"missing: {wanted.id!r}")
            continue
        if message.fuzzy:
            found.append(f"fuzzy: {wanted.id!r}")
        ids = wanted.id if isinstance(wanted.id, tuple) else (wanted.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if (len(strings) < catalog.num_plurals and isinstance(wanted.id, tuple)) or not all(strings):
            found.append(f"plural forms missing: {wanted.id!r}")
        expected = set().union(*(_placeholders(i) for i in ids))
        for form, text in enumerate(strings):
            # The "one" form may leave out what the English singular leaves out ("your current password",
            # not "your last {count} passwords"); every other form keeps every placeholder.
            optional = expected - _placeholders(ids[0]) if form == 0 else set()
            if text and not expected - optional <= _placeholders(text) <= expected:
                found.append(f"placeholders {sorted(_placeholders(text))} != {sorted(expected)}: {wanted.id!r}")
    return found


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    template = _catalog(TRANSLATIONS_DIR / "messages.pot")
    catalog = _catalog(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", lang)
    assert problems(catalog, template) == []


def test_the_check_catches_a_missing_message_and_a_renamed_placeholder() -> None:
    template = _catalog(TRANSLATIONS_DIR / "messages.pot")
    catalog = _catalog(TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po", "de")
    catalog.delete("Hello again.")
    catalog["Expected wait: about {minutes} minutes."].string = "Wartezeit: etwa {minuten} Minuten."
    catalog["in {minutes} minute"].string = ("in {minutes} Minute", "")
    found = problems(catalog, template)
    assert "missing: 'Hello again.'" in found
    assert any(p.startswith("placeholders ['minuten']") for p in found)
    assert any(p.startswith("plural forms missing") for p in found)


def test_only_a_singular_the_english_words_without_a_number_may_drop_it() -> None:
    template = _catalog(TRANSLATIONS_DIR / "messages.pot")
    catalog = _catalog(TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po", "de")
    assert problems(catalog, template) == []  # "Es ist Ihr aktuelles Passwort" has no {count}, as in English
    catalog["in {minutes} minute"].string = ("in einer Minute", "in {minutes} Minuten")  # English keeps it
    history = "It is your current password; choose a new one."
    catalog[history].string = (catalog[history].string[0], "Es ist eines Ihrer letzten Passwörter.")
    found = problems(catalog, template)
    assert any("'in {minutes} minute'" in p for p in found)
    assert any(history in p and p.startswith("placeholders []") for p in found)


def test_the_template_holds_every_marked_string_in_the_code() -> None:
    """`make translations` was run after the last prompt change: no marked string is left out."""
    method_map = [("**.py", "python")]
    keywords = {"N_": None, "gettext": None, "ngettext": (1, 2)}
    extracted: set[str | tuple[str, ...]] = set()
    for folder in ("dialogs", "bot", "core", "channels"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map, keywords=keywords):
            extracted.add(message)
    template = {m.id for m in _catalog(TRANSLATIONS_DIR / "messages.pot") if m.id}
    assert extracted - template == set(), "run `make translations`"


@pytest.mark.parametrize("lang", SHIPPED)
def test_each_catalog_header_lists_its_terms(lang: str) -> None:
    header = (TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8").split("msgid")[0]
    term = {"es": "contraseña (password)", "de": "Passwort (password)"}[lang]
    assert term in header


@pytest.mark.parametrize("lang", SHIPPED)
def test_one_term_for_the_password(lang: str) -> None:
    """ "Passwort", never "Kennwort"; "contraseña", never "clave": one word for one thing."""
    avoided = {"es": r"\bclave\b", "de": r"kennwort"}[lang]
    catalog = _catalog(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", lang)
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not any(re.search(avoided, s, re.IGNORECASE) for s in strings if s), message.id


def test_translator_and_plural_forms() -> None:
    es, de, en = translator("es"), translator("de"), translator("en")
    assert es.gettext("Yes") == "Sí" and de.gettext("Yes") == "Ja" and en.gettext("Yes") == "Yes"
    assert de.ngettext("in {minutes} minute", "in {minutes} minutes", 1) == "in {minutes} Minute"
    assert de.ngettext("in {minutes} minute", "in {minutes} minutes", 3) == "in {minutes} Minuten"
    assert es.ngettext("in {minutes} minute", "in {minutes} minutes", 2) == "dentro de {minutes} minutos"


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ("es-MX", "es"),
        ("de_DE", "de"),
        ("DE", "de"),
        ("fr-FR,de-CH;q=0.8,en;q=0.5", "de"),
        ("en;q=0.2, es;q=0.9", "es"),
        ("fr, it", "en"),
        ("", "en"),
        (None, "en"),
        ("de;q=0", "en"),
        ("garbage;;,,q=x", "en"),
        (["", None, "pt-BR", "es"], "es"),
    ],
)
def test_negotiate_picks_the_first_supported(candidates: str | list[str | None] | None, expected: str) -> None:
    assert negotiate(candidates, DEFAULT_LANGUAGES, "en") == expected


def test_negotiate_keeps_to_the_configured_languages() -> None:
    assert negotiate("es", ("en", "de"), "de") == "de"


def test_the_pseudo_locale_exists_only_when_enabled() -> None:
    assert negotiate(PSEUDO, DEFAULT_LANGUAGES, "en") == "en"
    enable_pseudo()
    try:
        assert negotiate(PSEUDO, DEFAULT_LANGUAGES, "en") == PSEUDO
        assert translator(PSEUDO).gettext("Hello again.") == "[!! Hello again. !!]"
    finally:
        enable_pseudo(False)


def test_language_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import SettingsError, load_settings

    assert (load_settings().languages, load_settings().default_language) == (DEFAULT_LANGUAGES, "en")
    monkeypatch.setenv("RESETDESK_LANGUAGES", " DE, en ")
    monkeypatch.setenv("RESETDESK_DEFAULT_LANGUAGE", "de")
    assert (load_settings().languages, load_settings().default_language) == (("de", "en"), "de")
    monkeypatch.setenv("RESETDESK_LANGUAGES", "en,fr")
    with pytest.raises(SettingsError, match="no catalog for fr"):
        load_settings()
    monkeypatch.setenv("RESETDESK_LANGUAGES", "en,es")
    with pytest.raises(SettingsError, match="RESETDESK_DEFAULT_LANGUAGE"):
        load_settings()

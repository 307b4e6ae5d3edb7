"""Languages: gettext catalogs under translations/, the language of the current turn, and choosing one.

The catalogs are `translations/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo` by `make` (never committed).
A missing or stale `.mo` (a plain `pytest` run, a fresh checkout) is compiled from its `.po` in memory on first
use, so a catalog edit shows up without a build step and nothing is written outside `make`.

The language of what is being said is a context variable (`use_language`), like a web framework's request
locale: the dialog's prompts stay in one table and are translated as they are read, whatever thread or task
runs the turn. Outside any `use_language`, strings are English (the msgids themselves).

The pseudo-locale `PSEUDO` wraps every string as `[!! … !!]`; it exists only after `enable_pseudo()` (tests),
and is built from the extracted template (messages.pot), so a string missing from the catalogs shows unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import NamedTuple, TypeVar

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from babel.units import format_unit

__all__ = [
    "DEFAULT_LANGUAGES",
    "N_",
    "PSEUDO",
    "TRANSLATIONS_DIR",
    "Translated",
    "Translator",
    "current_language",
    "enable_pseudo",
    "gettext",
    "language_list",
    "negotiate",
    "ngettext",
    "short_duration",
    "spoken_language",
    "supported",
    "translator",
    "use_language",
    "weekday",
]

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_LANGUAGES = ("en", "es", "de")
SOURCE_LANGUAGE = "en"  # the msgids are English: no catalog needed
PSEUDO = "en-XA"
_pseudo_on = False
_current: ContextVar[str | None] = ContextVar("resetdesk_language", default=None)  # None: no turn speaks
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z0-9]{2,8}))?$")


class Translator(NamedTuple):
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]


def language_list(value: object) -> tuple[str, ...]:
    """`RESETDESK_LANGUAGES`: "en,es,de" (or a list) -> ("en", "es", "de"); each must have a catalog."""
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    langs = tuple(dict.fromkeys(str(item).strip().lower() for item in items if str(item).strip()))
    if not langs:
        raise ValueError("must name at least one language, like en,es,de")
    unknown = [lang for lang in langs if lang != SOURCE_LANGUAGE and not _po_path(lang).exists()]
    if unknown:
        raise ValueError(f"no catalog for {', '.join(unknown)} (translations/<lang>/LC_MESSAGES/messages.po)")
    return langs


def _po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=16)
def _translations(lang: str) -> NullTranslations:
    if lang == PSEUDO:
        return _pseudo_translations()
    po = _po_path(lang)
    if lang == SOURCE_LANGUAGE or not po.exists():
        return NullTranslations()
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return Translations(fh)
    with po.open("rb") as fh:
        return _compiled(read_po(fh, locale=lang))


def _compiled(catalog: Catalog) -> Translations:
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def _pseudo_translations() -> Translations:
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    catalog = Catalog(locale="en")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            catalog.add(message.id, tuple(f"[!! {form} !!]" for form in message.id))
        else:
            catalog.add(message.id, f"[!! {message.id} !!]")
    return _compiled(catalog)


def enable_pseudo(on: bool = True) -> None:
    """Make the pseudo-locale available (tests only: it is never offered to people)."""
    global _pseudo_on
    _pseudo_on = on


def supported(languages: Iterable[str]) -> tuple[str, ...]:
    """The configured languages, plus the pseudo-locale while a test has it enabled."""
    return (*languages, PSEUDO) if _pseudo_on else tuple(languages)


def translator(lang: str) -> Translator:
    """gettext and ngettext bound to one language's catalog (English: the msgids as they are)."""
    t = _translations(lang)
    return Translator(t.gettext, t.ngettext)


def gettext(message: str) -> str:
    """`message` in the current turn's language."""
    return _translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for the catalogs without translating it here (it is translated where it is read)."""
    return message


K = TypeVar("K")


class Translated(Mapping[K, str]):
    """A table of msgids read in the current language: `TEXT["greeting"]` is the greeting as the turn speaks."""

    def __init__(self, messages: Mapping[K, str]) -> None:
        self._messages = dict(messages)

    def __getitem__(self, key: K) -> str:
        message = self._messages[key]
        return gettext(message) if message else message  # gettext("") would be the catalog's header

    def __iter__(self) -> Iterator[K]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def msgid(self, key: K) -> str:
        """The English original (tests compare against it)."""
        return self._messages[key]


def weekday(moment: datetime, *, abbreviated: bool = False) -> str:
    """The day's name in the current language ("Monday", "lunes", "Montag"; "Mon", "lun", "Mo.")."""
    return format_date(moment, "EEE" if abbreviated else "EEEE", locale=_babel_locale())


def short_duration(seconds: int) -> str:
    """A span in the current language's short units, largest two that matter: "2 min 30 sec", "1 hr 5 min",
    "2 Min. 30 Sek." (CLDR's words, through Babel)."""
    minutes, rest = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    parts = (
        [(hours, "duration-hour"), (minutes, "duration-minute")]
        if hours
        else [(minutes, "duration-minute"), (rest, "duration-second")]
    )
    shown = [(value, unit) for value, unit in parts if value] or [(0, "duration-second")]
    return " ".join(format_unit(value, unit, length="short", locale=_babel_locale()) for value, unit in shown)


def _babel_locale() -> str:
    lang = current_language()
    return "en" if lang == PSEUDO else lang  # the pseudo-locale's dates and units are English data


def current_language() -> str:
    """The language being spoken; English (the msgids) outside any `use_language`."""
    return _current.get() or SOURCE_LANGUAGE


def spoken_language() -> str | None:
    """The language of the current turn or request, or None outside one (a command, the worker, a test),
    where the caller chooses: the configured default, or what was recorded before."""
    return _current.get()


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block (the engine wraps each turn in the conversation's language)."""
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def negotiate(candidates: str | Iterable[str | None] | None, languages: Iterable[str], default: str) -> str:
    """The first candidate the configured languages include, else `default`.

    Candidates are tags ("es-MX", "de_DE", "EN") or Accept-Language strings ("de-CH,de;q=0.9,en;q=0.5",
    taken in q order); a region falls back to its language, and a language to the configured regional one.
    """
    offered = supported(languages)
    by_tag = {lang.lower(): lang for lang in offered}
    if isinstance(candidates, str) or candidates is None:
        candidates = [candidates]
    for candidate in candidates:
        for tag in _ranked(candidate or ""):
            found = by_tag.get(tag) or by_tag.get(tag.split("-")[0])
            if found:
                return found
    return default


def _ranked(header: str) -> list[str]:
    """An Accept-Language string (or a lone tag) as lower-case tags, best first; malformed parts skipped."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        match = _TAG.match(tag.strip())
        if not match:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0:
            region = f"-{match.group(2).lower()}" if match.group(2) else ""
            ranked.append((-quality, index, match.group(1).lower() + region))
    return [tag for _, _, tag in sorted(ranked)]

"""The web pages' language: the widget's or page's `lang` hint, then Accept-Language, within RESETDESK_LANGUAGES.

Flask-Babel selects the locale (dates, numbers, `get_locale()`); the templates' `_()`/`ngettext()` read the same
core.i18n catalogs as the chat, so a catalog edit or the test pseudo-locale (not a Babel locale) shows on pages too.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, g, request
from flask_babel import Babel

from core.i18n import PSEUDO, SOURCE_LANGUAGE, negotiate, translator, use_language

__all__ = ["follow_language", "install_i18n", "page_language", "request_hint"]

# The blueprints whose requests speak the person's (or agent's) language; other routes (Slack, Telegram
# webhooks) are left alone: their turns choose their own.
WEB_BLUEPRINTS = frozenset({"web", "reset", "chat_api", "enroll", "demo", "agent"})
HINT_PARAM = "lang"  # ?lang= on pages (the widget's iframe) and "lang" in chat API bodies


def request_hint() -> str | None:
    """The explicit hint: ?lang= (widget attribute / host page's <html lang>) or a JSON body's "lang"."""
    hint = request.args.get(HINT_PARAM)
    if not hint and request.blueprint == "chat_api" and request.is_json:  # chat bodies are small; others not read
        body = request.get_json(silent=True)
        value = body.get(HINT_PARAM) if isinstance(body, dict) else None
        hint = value if isinstance(value, str) else None
    return hint[:35] if hint else None


def page_language() -> str:
    """This request's language (computed once): the hint, then Accept-Language, else the default."""
    if "rd_lang" not in g:
        languages, default = current_app.config.get(_KEY, ((SOURCE_LANGUAGE,), SOURCE_LANGUAGE))
        g.rd_lang = negotiate([request_hint(), request.headers.get("Accept-Language")], languages, default)
    return str(g.rd_lang)


def follow_language(lang: str | None) -> None:
    """Speak `lang` for the rest of this request, before Accept-Language, when it is offered and the request
    names none itself (?lang=): a page reached from a conversation (the reset link) reads as the chat did,
    whatever language the browser asks for. Call it in a blueprint's before_request, before anything is worded."""
    if not lang or request_hint():
        return
    languages, default = current_app.config.get(_KEY, ((SOURCE_LANGUAGE,), SOURCE_LANGUAGE))
    chosen = negotiate([lang, request.headers.get("Accept-Language")], languages, default)
    if chosen == g.get("rd_lang"):
        return
    g.rd_lang = chosen
    scope = g.pop("rd_lang_scope", None)
    if scope is not None:
        scope.__exit__(None, None, None)
    g.rd_lang_scope = use_language(chosen)
    g.rd_lang_scope.__enter__()


_KEY = "RESETDESK_PAGE_LANGUAGES"  # in the app config: app.extensions holds only the one typed Wiring


def install_i18n(app: Flask, languages: Iterable[str], default: str) -> None:
    """Flask-Babel with our selector, the templates' gettext from core.i18n, and each request in its language."""
    app.config[_KEY] = (tuple(languages), default)

    def select() -> str:
        lang = page_language()
        return SOURCE_LANGUAGE if lang == PSEUDO else lang  # Babel has no pseudo-locale

    Babel(app, locale_selector=select)

    @app.before_request
    def enter_language() -> None:
        if request.blueprint not in WEB_BLUEPRINTS:
            return
        g.rd_lang_scope = use_language(page_language())
        g.rd_lang_scope.__enter__()  # views' core.i18n gettext (meter labels...) follow the page

    @app.teardown_request
    def leave_language(_error: BaseException | None) -> None:
        scope = g.pop("rd_lang_scope", None)
        if scope is not None:
            scope.__exit__(None, None, None)

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translator(page_language()).gettext(message),
        lambda singular, plural, n: translator(page_language()).ngettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["page_language"] = page_language

"""The reset page in Spanish in Chromium (issue 18, "Browser"): a browser that asks for Spanish
(Accept-Language es) meets no English on the page, in any state it reaches without a refused password, and
every state passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from jinja2.ext import babel_extract
from playwright.sync_api import Browser, BrowserContext, Page, expect

from channels.web.reset_page import _STRENGTH_LABELS, NOT_ACCEPTED
from tests.browser.conftest import STRONG, LiveServer, reset_link_over_http
from tests.support.axe import assert_no_axe_violations

Shot = Callable[[Page, str], Path]


@pytest.fixture
def spanish(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es-ES,es;q=0.9"})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


TEMPLATES = Path(__file__).resolve().parents[2] / "channels" / "web" / "templates"
PAGES = ("base.html", "reset.html", "reset_done.html", "reset_invalid.html")
SAME_IN_SPANISH = {"Error:"}
ENGLISH_WORDS = {"password", "your", "the", "new", "and", "show", "hide", "link", "sign", "again", "choose", "not"}


def english_strings() -> set[str]:
    """The reset page's English strings: every msgid its templates and the meter use (placeholders cut off)."""
    found: set[str] = set(_STRENGTH_LABELS) | {NOT_ACCEPTED}
    for name in PAGES:
        with (TEMPLATES / name).open("rb") as fh:
            for _line, message, _comments, _context in extract(babel_extract, fh, keywords=DEFAULT_KEYWORDS):
                for form in message if isinstance(message, tuple) else (message,):
                    if form:
                        found.add(form.split("%(")[0].strip())
    return {text for text in found if len(text) > 3} - SAME_IN_SPANISH


def visible_text(page: Page) -> str:
    """The page's visible text, its title and the labels a screen reader says."""
    labels = page.locator("[aria-label], [placeholder]").evaluate_all(
        "es => es.map(e => (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('placeholder') || ''))"
    )
    return "\n".join([page.locator("body").inner_text(), page.title(), *labels])


def assert_no_english(page: Page) -> None:
    text = visible_text(page)
    leaked = {english for english in ENGLISH if english in text}
    words = {word for word in re.findall(r"[A-Za-z]+", text) if word.lower() in ENGLISH_WORDS}
    assert not leaked and not words, (leaked, words, text)


ENGLISH = english_strings()


def test_the_reset_page_in_spanish_has_no_english_and_passes_axe(
    live_server: LiveServer, spanish: BrowserContext, shot: Shot
) -> None:
    page = spanish.new_page()
    page.goto(reset_link_over_http(live_server, page.request))
    assert {"Choose a new password", "Set new password", "Not accepted", "Hide"} <= ENGLISH  # the real list
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Elige una nueva contraseña")).to_be_visible()
    assert_no_english(page)
    assert_no_axe_violations(page)
    shot(page, "1-empty")

    page.locator("#password").fill(STRONG)  # the meter's label comes from the server, in Spanish
    expect(page.locator("#meter-text")).to_have_text("Válida: muy robusta")
    page.get_by_role("button", name="Mostrar").click()
    expect(page.locator("#toggle-password")).to_have_text("Ocultar")
    assert_no_english(page)
    assert_no_axe_violations(page)
    shot(page, "2-meter")

    page.locator("#confirmation").fill(STRONG + " x")  # a mismatch: said next to the second field
    page.get_by_role("button", name="Guardar la nueva contraseña").click()
    expect(page.locator("#confirmation-error")).to_contain_text("No coincide con la nueva contraseña")
    assert_no_english(page)
    assert_no_axe_violations(page)

    page.locator("#password").fill(STRONG)
    page.locator("#confirmation").fill(STRONG)
    page.get_by_role("button", name="Guardar la nueva contraseña").click()
    expect(page.get_by_role("heading", name="Tu contraseña se ha cambiado")).to_be_visible()
    assert_no_english(page)
    assert_no_axe_violations(page)
    shot(page, "3-done")

    page.goto(live_server.url + "/reset/set-password")  # the link is spent
    expect(page.get_by_role("heading", name="Este enlace no se puede usar")).to_be_visible()
    assert_no_english(page)
    assert_no_axe_violations(page)

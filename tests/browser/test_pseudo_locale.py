"""The web journey in the pseudo-locale (issue 18, "Pseudo-locale"): every string the catalogs know is shown
as `[!! … !!]`, so any text on the chat page, in the chat or on the reset page that is not wrapped never went
through a catalog. Only data may stand bare: codes, IDs, URLs, the product's name, the masked-code dots."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from core.i18n import PSEUDO, enable_pseudo
from tests.browser.conftest import EMPLOYEE_ID, STRONG, LiveServer, chat_script_loads

Shot = Callable[[Page, str], Path]
INNERMOST = re.compile(r"\[!!(?:(?!\[!!|!!\]).)*!!\]", re.DOTALL)
DATA = re.compile(r"^(×|•+|[A-Z]?\d+|\d+\s*s|https?://\S+|[\s.,:;!?·—()\-]*)$")

# Every text node a person can perceive (screen-reader-only ones too) and the attributes read aloud or shown.
TEXTS_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest("script, style, noscript, [hidden]")) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    out.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
    if (el.closest("[hidden]")) continue;
    for (const name of ["aria-label", "placeholder", "title"]) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name));
    }
  }
  out.push(document.title);
  return out;
}"""


@pytest.fixture
def pseudo(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    enable_pseudo()
    context = browser.new_context(extra_http_headers={"Accept-Language": PSEUDO})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()
        enable_pseudo(False)


def unwrapped(text: str) -> str:
    """What is left of `text` once every pseudo-wrapped part (innermost first: a sentence may hold a label)
    is taken out."""
    previous = None
    while previous != text:
        previous, text = text, INNERMOST.sub("", text)
    return text.replace("ResetDesk", "").strip()  # the product's name is data


def assert_all_translated(page: Page) -> None:
    leaks = [text for text in page.evaluate(TEXTS_JS) if not DATA.match(unwrapped(text))]
    assert not leaks, leaks


def test_the_web_journey_in_the_pseudo_locale_shows_only_catalog_text(
    live_server: LiveServer, pseudo: BrowserContext, shot: Shot
) -> None:
    chat = pseudo.new_page()
    with chat_script_loads(chat):
        chat.goto(live_server.url + "/chat")
    expect(chat.locator("html")).to_have_attribute("lang", PSEUDO)
    expect(chat.locator("#rd-log .rd-msg-bot").first).to_contain_text("[!! Hi, I'm ResetDesk")
    expect(chat.locator("#rd-input")).to_be_enabled()
    assert_all_translated(chat)
    shot(chat, "1-greeting")

    chat.locator(".rd-choice[data-value=reset]").click()
    expect(chat.locator("#rd-log .rd-msg-bot")).to_have_count(2)
    chat.locator("#rd-input").fill(EMPLOYEE_ID)
    chat.locator("#rd-input").press("Enter")
    email = chat.locator(".rd-choice[data-value=email]")
    expect(email).to_be_visible()
    assert_all_translated(chat)
    email.click()
    expect(chat.locator("#rd-input")).to_have_attribute("inputmode", "numeric")
    assert_all_translated(chat)  # the code field's label and placeholder
    chat.locator("#rd-input").fill(live_server.code_from_email())
    chat.locator("#rd-input").press("Enter")
    link = chat.locator("a.rd-link-button")
    expect(link).to_be_visible()
    assert_all_translated(chat)
    shot(chat, "2-link")

    with pseudo.expect_page() as opened:
        link.click()
    reset = opened.value
    reset.wait_for_load_state()
    expect(reset.locator("html")).to_have_attribute("lang", PSEUDO)
    assert_all_translated(reset)
    reset.locator("#password").fill(STRONG)
    expect(reset.locator("#meter-text")).to_contain_text("[!! Good:")
    reset.locator("#toggle-password").click()
    assert_all_translated(reset)
    reset.locator("#confirmation").fill(STRONG + "!")
    reset.locator("#submit").click()
    expect(reset.locator("#confirmation-error")).to_be_visible()
    assert_all_translated(reset)
    reset.locator("#confirmation").fill(STRONG)
    reset.locator("#submit").click()
    expect(reset.locator("#next-steps")).to_be_attached()
    assert_all_translated(reset)
    shot(reset, "3-done")

    # The chat, told the reset is done, says so in the same wrapped text.
    expect(chat.locator("#rd-log .rd-msg-bot")).not_to_have_count(0)
    assert_all_translated(chat)

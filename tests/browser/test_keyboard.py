"""Everything by keyboard alone: Tab, Shift+Tab, Enter and typing; no clicks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import EMPLOYEE_ID, STRONG, LiveServer, bot_says, open_chat

Shot = Callable[[Page, str], Path]


def focused_name(page: Page) -> str:
    """The focused element's visible text or label (reading the page is not interacting with it)."""
    return str(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return "";
                return (el.getAttribute("aria-label") || el.textContent || el.id || "").trim();
            }"""
        )
    )


def tab_to(page: Page, starts_with: str, *, backwards: bool = False, limit: int = 20) -> None:
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        name = focused_name(page)
        if name.startswith(starts_with):
            return
        seen.append(name)
    raise AssertionError(f"{starts_with!r} never got focus with {key}; focus went to {seen}")


def test_the_whole_reset_by_keyboard(live_server: LiveServer, context: BrowserContext, page: Page, shot: Shot) -> None:
    open_chat(page, live_server.url)

    log = page.locator("#rd-log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("aria-label", "Conversation")
    expect(page.locator("#rd-typing")).to_have_attribute("role", "status")
    message = page.get_by_role("textbox", name="Message")
    expect(message).to_be_visible()
    expect(message).to_be_focused()  # the chat starts where you type

    # The choices are buttons you can reach and press.
    tab_to(page, "Reset my password", backwards=True)
    page.keyboard.press("Enter")
    bot_says(page, "What is your employee ID or username?")
    expect(message).to_be_focused()  # focus comes back to the input after a reply
    expect(page.get_by_role("button", name="Reset my password")).to_be_disabled()  # old choices are spent
    page.keyboard.type(EMPLOYEE_ID)
    page.keyboard.press("Enter")
    bot_says(page, "How would you like to confirm it's you?")
    expect(message).to_be_focused()
    shot(page, "1-choices")

    tab_to(page, "Email me a code", backwards=True)
    page.keyboard.press("Enter")
    bot_says(page, "Type the code here")
    code_field = page.get_by_role("textbox", name="Verification code")  # the label follows the question
    expect(code_field).to_be_focused()
    page.keyboard.type(live_server.code_from_email())
    page.keyboard.press("Enter")
    bot_says(page, "Open this secure link")
    shot(page, "2-link")

    tab_to(page, "Set a new password", backwards=True)
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    reset = opened.value
    reset.wait_for_load_state()
    assert reset.url == live_server.url + "/reset/set-password"  # the token left the address bar
    password = reset.get_by_label("New password")
    expect(password).to_be_focused()  # autofocus
    reset.keyboard.type(STRONG)
    expect(reset.locator("#meter-text")).to_contain_text("Good")
    reset.keyboard.press("Tab")  # the Show button
    expect(reset.get_by_role("button", name="Show")).to_be_focused()
    reset.keyboard.press("Tab")
    expect(reset.get_by_label("Type it again")).to_be_focused()
    reset.keyboard.type(STRONG)
    reset.keyboard.press("Enter")
    expect(reset.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    shot(reset, "3-done")
    assert live_server.core.directory.verify_password(_account_id(live_server), STRONG)


def _account_id(server: LiveServer) -> int:
    account = server.core.directory.find(EMPLOYEE_ID)
    assert account is not None
    return account.id

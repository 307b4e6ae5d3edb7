"""The whole journey in a real browser: chat, code by real email, reset page, confirmation, sign-in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import EMPLOYEE_ID, STRONG, WEAK, LiveServer, bot_says, open_chat
from tests.core.conftest import OLD_PASSWORD

Shot = Callable[[Page, str], Path]


def test_reset_a_password_from_the_chat_and_sign_in_with_it(
    live_server: LiveServer, context: BrowserContext, page: Page, shot: Shot
) -> None:
    chat = page
    open_chat(chat, live_server.url)
    shot(chat, "1-greeting")

    chat.get_by_role("button", name="Reset my password").click()
    bot_says(chat, "What is your employee ID or username?")
    chat.get_by_label("Message").fill(EMPLOYEE_ID)
    chat.get_by_label("Message").press("Enter")
    expect(chat.locator("#rd-log .rd-msg-user").last).to_have_text(f"You said{EMPLOYEE_ID}")
    bot_says(chat, "How would you like to confirm it's you?")
    shot(chat, "2-choose-method")

    chat.get_by_role("button", name="Email me a code").click()
    bot_says(chat, "Type the code here")
    # The input turns into a numeric code field.
    code_field = chat.get_by_label("Verification code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    code = live_server.code_from_email()  # from the real SMTP server
    code_field.fill(code)
    code_field.press("Enter")
    # The code is masked in the log, and never shown back.
    expect(chat.locator("#rd-log .rd-msg-user").last).to_have_text("You said•••••")
    expect(chat.locator("#rd-log")).not_to_contain_text(code)
    bot_says(chat, "Open this secure link to choose a new password")
    link = chat.get_by_role("link", name="Set a new password")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("target", "_blank")
    shot(chat, "3-reset-link")

    with context.expect_page() as opened:
        link.click()
    reset = opened.value
    reset.wait_for_load_state()
    assert reset.url == live_server.url + "/reset/set-password"  # the token left the address bar
    expect(reset.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(reset.get_by_label("New password")).to_have_attribute("type", "password")

    # A weak password: the live meter lists why, asking the server.
    reset.get_by_label("New password").press_sequentially(WEAK)
    expect(reset.locator("#meter-text")).to_contain_text("Not accepted")
    live = reset.locator("#live-problems li")
    expect(live.first).to_be_visible()
    live_problems = live.all_inner_texts()
    assert live_problems and all(text.strip() for text in live_problems)
    # Show/hide reveals both fields.
    reset.get_by_role("button", name="Show").click()
    expect(reset.get_by_label("New password")).to_have_attribute("type", "text")
    expect(reset.get_by_label("Type it again")).to_have_attribute("type", "text")
    expect(reset.get_by_role("button", name="Hide")).to_have_attribute("aria-pressed", "true")
    shot(reset, "4-weak-password-meter")

    # ... and after submitting it, the server's reasons are listed.
    reset.get_by_label("Type it again").fill(WEAK)
    reset.get_by_role("button", name="Set new password").click()
    problems = reset.locator("#problems")
    expect(problems).to_be_visible()
    expect(problems).to_have_attribute("role", "alert")
    expect(problems).to_contain_text("Please choose a different password")
    listed = problems.locator("li").all_inner_texts()
    assert listed and set(live_problems) <= set(listed), (live_problems, listed)
    expect(problems).to_be_focused()
    shot(reset, "5-weak-password-refused")

    # A strong one, twice.
    reset.get_by_label("New password").fill(STRONG)
    expect(reset.locator("#meter-text")).to_contain_text("Good")
    expect(reset.locator("#live-problems li")).to_have_count(0)
    reset.get_by_label("Type it again").fill(STRONG)
    reset.get_by_role("button", name="Set new password").click()
    expect(reset.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    expect(reset.locator("main")).to_contain_text("sign in")
    expect(reset.locator("main")).to_contain_text("You have not been signed in automatically")
    shot(reset, "6-success")

    # Back in the chat tab, the confirmation arrives by polling.
    chat.bring_to_front()
    bot_says(chat, "Your password has been changed")
    expect(chat.locator("#rd-log")).not_to_contain_text(STRONG)
    shot(chat, "7-chat-confirms")

    # The new password works on the portal's sign-in page; the old one no longer does.
    portal = context.new_page()
    portal.goto(live_server.url + "/demo/login")
    portal.get_by_label("Employee ID or username").fill(EMPLOYEE_ID)
    portal.get_by_label("Password").fill(OLD_PASSWORD)
    portal.get_by_role("button", name="Sign in").click()
    expect(portal.locator("#result")).to_contain_text("Wrong employee ID, username or password")
    portal.get_by_label("Employee ID or username").fill(EMPLOYEE_ID)
    portal.get_by_label("Password").fill(STRONG)
    portal.get_by_role("button", name="Sign in").click()
    expect(portal.locator("#result")).to_contain_text("Signed in")
    shot(portal, "8-signed-in")

    # The code email and the "your password was changed" notice both went through SMTP.
    messages = live_server.smtp.wait_for(2)
    assert "changed" in messages[1].get_content()

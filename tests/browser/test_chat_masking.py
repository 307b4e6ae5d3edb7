"""The web chat masks only what could be a secret (issue 15): "help" typed at the code prompt is shown as
typed, the code itself as dots, and the step's buttons come back with the help reply."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import EMPLOYEE_ID, LiveServer, bot_says, open_chat


def test_help_at_the_code_prompt_is_shown_and_the_code_is_masked(live_server: LiveServer, page: Page) -> None:
    open_chat(page, live_server.url)
    page.locator("#rd-input").fill(f"I forgot my password, my ID is {EMPLOYEE_ID}")
    page.locator("#rd-input").press("Enter")
    page.get_by_role("button", name="Email me a code").click()
    bot_says(page, "Type the code here")
    mine = page.locator("#rd-log .rd-msg-user")

    page.locator("#rd-input").fill("help")
    page.locator("#rd-input").press("Enter")
    bot_says(page, "Type the code we sent you.")
    expect(mine.last).to_have_text("You saidhelp")
    expect(page.get_by_role("button", name="Resend the code").last).to_be_enabled()  # the buttons came back

    code = live_server.code_from_email()
    page.locator("#rd-input").fill(code)
    page.locator("#rd-input").press("Enter")
    bot_says(page, "Open this secure link to choose a new password")
    expect(mine.last).to_have_text("You said•••••")
    expect(page.locator("#rd-log")).not_to_contain_text(code)

    page.reload()  # the stored history shows the same: "help", and never the code
    bot_says(page, "Open this secure link")
    expect(page.locator("#rd-log .rd-msg-user").filter(has_text="help")).to_have_count(1)
    expect(page.locator("#rd-log")).not_to_contain_text(code)

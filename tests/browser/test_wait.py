"""Waiting to resend a code, in a real browser: the countdown ticks in the message and "Send again" appears when
it is over (the page's clock and the server's clock are both moved on)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import EMPLOYEE_ID, LiveServer, bot_says, open_chat

Shot = Callable[[Page, str], Path]


def test_the_wait_is_a_countdown_and_send_again_appears_when_it_is_over(
    live_server: LiveServer, page: Page, shot: Shot
) -> None:
    page.clock.install()  # the page's timers run on a clock the test can move
    open_chat(page, live_server.url)
    page.get_by_role("button", name="Reset my password").click()
    bot_says(page, "employee ID or username")
    page.locator("#rd-input").fill(EMPLOYEE_ID)
    page.locator("#rd-input").press("Enter")
    page.get_by_role("button", name="Email me a code").click()
    bot_says(page, "I've sent a 6-digit code to e•••@example.com")
    live_server.code_from_email()

    page.get_by_role("button", name="Resend the code").click()
    bot_says(page, "I sent you a code a moment ago to e•••@example.com: type it here.")
    waiting = page.locator("#rd-log .rd-msg-bot").last
    countdown = waiting.locator(".rd-countdown")
    expect(countdown).to_have_text(re.compile(r"^New code available in (60|59) s$"))
    send_again = waiting.locator(".rd-choice[data-value=resend]")
    expect(send_again).to_be_hidden()
    expect(waiting.get_by_role("button", name="Another way")).to_be_visible()  # the other way stays open
    page.clock.fast_forward(20_000)
    expect(countdown).to_have_text(re.compile(r"^New code available in (40|39) s$"))
    shot(page, "1-counting-down")

    # Reloaded, the wait is drawn without a countdown; "Send again" pressed early answers with the seconds left.
    page.reload()
    replayed = page.locator("#rd-log .rd-msg-bot").last
    expect(replayed).to_contain_text("I sent you a code a moment ago")
    expect(replayed.locator(".rd-countdown")).to_have_count(0)
    replayed.get_by_role("button", name="Send again").click()
    waiting = page.locator("#rd-log .rd-msg-bot").last
    expect(waiting).to_contain_text(re.compile(r"You can ask for a new code in \d+ seconds\."))
    expect(waiting.locator(".rd-countdown")).to_have_text(re.compile(r"^New code available in \d+ s$"))
    send_again = waiting.locator(".rd-choice[data-value=resend]")
    expect(send_again).to_be_hidden()
    assert len(live_server.smtp.messages) == 1  # nothing more was sent

    live_server.clock.advance(seconds=61)
    page.clock.fast_forward(61_000)
    expect(waiting.locator(".rd-countdown")).to_have_text("You can ask for a new code now.")
    expect(send_again).to_be_visible()
    expect(send_again).to_be_enabled()
    shot(page, "2-send-again")

    send_again.click()
    bot_says(page, "I've sent a 6-digit code to e•••@example.com. Type the code here.")
    code = live_server.code_from_email(2)
    page.locator("#rd-input").fill(code)
    page.locator("#rd-input").press("Enter")
    bot_says(page, "Open this secure link to choose a new password")

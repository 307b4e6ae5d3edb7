"""Steps the console browser tests share: a person handed off from the web chat, an agent signed in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, bot_says, open_chat
from tests.support.agents import access_of, totp_code

__all__ = ["AGENT_PASSWORD", "hand_off", "sign_in_agent", "take_first_ticket"]

AGENT_PASSWORD = "console password for tests"


def hand_off(page: Page, server: LiveServer, identifier: str | None = None, *, helps: int = 0) -> None:
    """A person in the web chat (optionally after naming an account, and asking for "help" `helps` times, for a
    longer transcript) asks for a human."""
    open_chat(page, server.url)
    if identifier is not None:
        page.get_by_role("button", name="Reset my password").click()
        bot_says(page, "employee ID or username")
        page.locator("#rd-input").fill(identifier)
        page.locator("#rd-input").press("Enter")
        expect(page.get_by_role("button", name="Email me a code")).to_be_visible()
    for n in range(helps):
        page.locator("#rd-input").fill("help")
        page.locator("#rd-input").press("Enter")
        expect(page.locator("#rd-log .rd-msg-bot")).to_have_count(3 + n + 1 if identifier else 1 + n + 1)
    page.locator("#rd-input").fill("I need to talk to a human")
    page.locator("#rd-input").press("Enter")
    bot_says(page, "passed you to IT support")


def sign_in_agent(console: Page, server: LiveServer, username: str = "sam") -> None:
    """Create the agent (TOTP enrolled) and sign in through both steps; ends on the queue."""
    agent = server.core.support.create_agent(username, "Sam Rivera", AGENT_PASSWORD)
    secret = access_of(server.core).two_factor.enroll(agent.id, confirmed=True).secret
    console.goto(server.url + "/agent")
    console.get_by_label("Username").fill(username)
    console.get_by_label("Password").fill(AGENT_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.get_by_label("Code from your authenticator app").fill(totp_code(server.core, secret))
    console.get_by_role("button", name="Verify").click()
    expect(console.get_by_role("heading", name="Waiting for support")).to_be_visible()


def take_first_ticket(console: Page) -> None:
    """From the queue: open the first ticket and take it."""
    link = console.locator("#queue-rows a").first
    expect(link).to_be_visible()
    link.click()
    console.get_by_role("button", name="Take this ticket").click()
    expect(console.locator("#live")).to_contain_text("from IT support joined.")

"""The agent console in a real browser: a person asks for a human in the web chat and talks to an agent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, bot_says, open_chat
from tests.support.agents import access_of, totp_code

AGENT_PASSWORD = "console password for tests"


def test_sign_in_take_reply_see_the_reply_and_close(
    page: Page, browser: Browser, live_server: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    agent = live_server.core.support.create_agent("sam", "Sam Rivera", AGENT_PASSWORD)
    secret = access_of(live_server.core).two_factor.enroll(agent.id, confirmed=True).secret
    open_chat(page, live_server.url)
    page.locator("#rd-input").fill("I need to talk to a human")
    page.locator("#rd-input").press("Enter")
    bot_says(page, "passed you to IT support")

    console = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    console.goto(live_server.url + "/agent")
    console.get_by_label("Username").fill("sam")
    console.get_by_label("Password").fill(AGENT_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    console.get_by_label("Code from your authenticator app").fill(totp_code(live_server.core, secret))
    console.get_by_role("button", name="Verify").click()
    ticket_link = console.locator("#queue-rows a").first
    expect(ticket_link).to_be_visible()
    shot(console, "queue")
    ticket_link.click()
    console.get_by_role("button", name="Take this ticket").click()
    expect(console.locator("#live")).to_contain_text("Sam Rivera from IT support joined.")

    console.get_by_label("Message to the person").fill("Hi, this is Sam. How can I help?")
    console.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#rd-log .rd-msg-agent").last).to_contain_text("Hi, this is Sam. How can I help?")

    page.locator("#rd-input").fill("My account is locked and my phone is lost")
    page.locator("#rd-input").press("Enter")
    expect(console.locator("#live")).to_contain_text("My account is locked and my phone is lost", timeout=10_000)
    shot(console, "ticket-chat")
    shot(page, "person-chat")

    console.get_by_label("Finish").select_option("resolved")
    console.get_by_role("button", name="Finish").click()
    expect(console.get_by_text("Nobody is waiting.")).to_be_visible()
    bot_says(page, "IT support has closed your ticket")
    console.context.close()

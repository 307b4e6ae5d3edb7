"""The console's ticket from hand-off to a finished reset: reasons in words, a link an agent sends showing in
the web chat at once (and only once), the reset shown on the ticket, the person told when it is closed; and
the console on a phone."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from core.storage.models import ChatMessage
from tests.browser.conftest import EMPLOYEE_ID, STRONG, LiveServer, bot_says
from tests.browser.console_steps import hand_off, sign_in_agent, take_first_ticket
from tests.core.conftest import add_employee

Shot = Callable[[Page, str], Path]


@pytest.fixture
def console(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def _stored_history(server: LiveServer) -> str:
    with server.core.database.transaction() as session:
        return json.dumps([row.payload for row in session.scalars(select(ChatMessage))])


def test_agent_link_shows_at_once_then_the_ticket_shows_the_reset_and_closing_tells_the_person(
    live_server: LiveServer, page: Page, console: Page, shot: Shot
) -> None:
    hand_off(page, live_server, EMPLOYEE_ID)
    sign_in_agent(console, live_server)
    expect(console.locator("#queue-rows")).to_contain_text("asked for a person")  # words, not "asked"
    take_first_ticket(console)
    expect(console.locator("#ticket-reason")).to_have_text("asked for a person")
    expect(console.locator("#reset-state")).to_have_text("Not done yet")

    console.get_by_label("Send a reset link to their chat — reason").fill("Verified by a video call")
    console.get_by_role("button", name="Send reset link").click()
    expect(console.locator("#flash")).to_contain_text("Reset link sent")

    # The link button arrives by the chat's own polling: nobody asks for "new link".
    link = page.locator("#rd-log a.rd-link-button")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    assert href and href.startswith(live_server.url + "/reset/")
    expect(page.locator("#rd-log").get_by_text('say "new link"')).to_have_count(0)
    shot(page, "link-arrived")
    # History never holds the token, sealed or not, once the page has it.
    assert href.rsplit("/", 1)[1] not in _stored_history(live_server)
    assert "sealed" not in _stored_history(live_server)

    # A reload redraws the conversation from history: the link is now a way to ask for a new one.
    page.reload()
    expect(page.get_by_role("button", name="Get a new link")).to_be_visible()
    expect(page.locator("#rd-log a.rd-link-button")).to_have_count(0)

    reset = page.context.new_page()
    reset.goto(href)
    reset.get_by_label("New password").fill(STRONG)
    reset.get_by_label("Type it again").fill(STRONG)
    reset.get_by_role("button", name="Set new password").click()
    expect(reset.get_by_text("has been changed")).to_be_visible()

    expect(console.locator("#reset-state")).to_contain_text("Completed")  # the open ticket page updates by itself
    shot(console, "ticket-after-reset")
    console.get_by_label("Finish").select_option("resolved")
    console.get_by_role("button", name="Finish").click()
    bot_says(page, "IT support has closed your ticket")
    shot(page, "person-told")


def test_no_sms_code_offered_without_a_phone_on_file(live_server: LiveServer, page: Page, console: Page) -> None:
    add_employee(live_server.core, "E2002", phone=None)
    hand_off(page, live_server, "E2002")
    sign_in_agent(console, live_server)
    take_first_ticket(console)
    options = console.locator("#code-method option")
    expect(options).to_have_count(1)
    expect(options).to_have_text("Email")


def test_console_fits_a_phone_screen(live_server: LiveServer, page: Page, browser: Browser, shot: Shot) -> None:
    hand_off(page, live_server, EMPLOYEE_ID)
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    try:
        sign_in_agent(phone, live_server)
        shot(phone, "queue")
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
        take_first_ticket(phone)
        shot(phone, "ticket")
        assert phone.evaluate("document.scrollingElement.scrollWidth") <= 390
    finally:
        phone.context.close()

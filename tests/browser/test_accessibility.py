"""axe-core on every page a person or an agent sees: 0 violations of any impact.

Each page is checked in a state worth checking: the chat with messages and buttons in it, the widget's page
with its panel open (and the panel's own document), the outbox with something in it, the console's queue
with a ticket waiting and a taken ticket with its transcript, live chat and actions. (The reset page has its
own axe tests, with its empty, error and done states.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import Browser, Page, expect

from core.delivery.outbox import Outbox
from tests.browser.conftest import (
    EMPLOYEE_ID,
    LiveServer,
    bot_says,
    chat_script_loads,
    chat_to_reset_link,
    open_chat,
)
from tests.browser.console_steps import AGENT_PASSWORD, hand_off, sign_in_agent, take_first_ticket
from tests.support.agents import access_of
from tests.support.axe import assert_no_axe_violations

Shot = Callable[[Page, str], Path]



def _chat(page: Page, server: LiveServer) -> None:
    open_chat(page, server.url)
    page.get_by_role("button", name="Reset my password").click()
    bot_says(page, "employee ID or username")
    page.locator("#rd-input").fill(EMPLOYEE_ID)
    page.locator("#rd-input").press("Enter")
    expect(page.get_by_role("button", name="Email me a code")).to_be_visible()


def _chat_with_link(page: Page, server: LiveServer) -> None:
    chat_to_reset_link(page, server)  # the link button, and the code's masked bubble before it


def _chat_question(page: Page, server: LiveServer) -> None:
    _chat(page, server)
    page.get_by_role("button", name="Answer my security questions").click()
    expect(page.locator("#rd-toggle")).to_be_visible()  # a secret answer: masked input with a show toggle


def _embedded_chat(page: Page, server: LiveServer) -> None:
    with chat_script_loads(page):
        page.goto(server.url + "/chat?embed=1")
    bot_says(page, "Hi, I'm ResetDesk")


def _demo_index(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/demo")


def _demo_outbox(page: Page, server: LiveServer) -> None:
    Outbox(server.core.database, server.core.clock).keep("email", "a@example.com", "Your code is 123456.", "Code")
    page.goto(server.url + "/demo/outbox")
    expect(page.locator(".outbox-item")).not_to_have_count(0)


def _demo_login(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/demo/login")
    page.get_by_label("Employee ID or username").fill(EMPLOYEE_ID)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#result")).to_be_visible()


def _demo_widget(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/demo/widget")
    with chat_script_loads(page):
        page.locator("#resetdesk-widget-host button.rd-bubble").click()
    expect(page.frame_locator("iframe.rd-frame").locator("#rd-log .rd-msg-bot").first).to_be_visible()


def _console_login(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/agent")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password for the test")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_be_visible()


def _console_code(page: Page, server: LiveServer) -> None:
    agent = server.core.support.create_agent("sam", "Sam Rivera", AGENT_PASSWORD)
    access_of(server.core).two_factor.enroll(agent.id, confirmed=True)
    page.goto(server.url + "/agent")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#login-error")).to_be_visible()


PAGES: dict[str, Callable[[Page, LiveServer], None]] = {
    "chat": _chat,
    "chat-link": _chat_with_link,
    "chat-question": _chat_question,
    "chat-embedded": _embedded_chat,
    "demo-index": _demo_index,
    "demo-outbox": _demo_outbox,
    "demo-login": _demo_login,
    "demo-widget": _demo_widget,
    "console-login": _console_login,
    "console-code": _console_code,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(name: str, live_server: LiveServer, page: Page, shot: Shot) -> None:
    PAGES[name](page, live_server)
    shot(page, name)
    assert_no_axe_violations(page)


def test_widget_panel_frame_has_no_axe_violations(live_server: LiveServer, page: Page) -> None:
    """The panel's document as it runs inside the widget's iframe on the demo page."""
    _demo_widget(page, live_server)
    frame = page.frame(url=lambda url: "/chat?embed=1" in url)
    assert frame is not None
    assert_no_axe_violations(cast(Page, frame))  # a Frame runs the same evaluate/add_script_tag calls


@pytest.mark.parametrize("where", ["queue", "ticket"])
def test_console_has_no_axe_violations(
    where: str, live_server: LiveServer, page: Page, browser: Browser, shot: Shot
) -> None:
    hand_off(page, live_server, EMPLOYEE_ID, helps=4)
    console = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    try:
        sign_in_agent(console, live_server)
        if where == "ticket":
            take_first_ticket(console)
            for n in range(14):  # enough lines that the live chat scrolls: it must then be focusable
                console.get_by_label("Message to the person").fill(f"Line {n} from Sam.")
                console.get_by_role("button", name="Send", exact=True).click()
                expect(console.locator("#live")).to_contain_text(f"Line {n} from Sam.")
            console.reload()
            scrolls = "e => e.scrollHeight > e.clientHeight"
            assert console.locator("#live").evaluate(scrolls) and console.locator("#transcript").evaluate(scrolls)
        shot(console, where)
        assert_no_axe_violations(console)
    finally:
        console.context.close()

"""The widget on someone else's page: one <script> tag, served from another origin."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import EMPLOYEE_ID, HOST, LiveServer, chat_script_loads

Shot = Callable[[Page, str], Path]


@pytest.fixture
def host_page(live_server: LiveServer) -> Iterator[str]:
    """A plain HTML page on a second local server (another port, so another origin) with only the script tag."""
    html = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Intranet</title></head><body>"
        "<h1>Company intranet</h1><p>Nothing to do with ResetDesk.</p>"
        f'<script src="{live_server.url}/widget.js" defer></script>'
        "</body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="widget-host", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_widget_on_a_plain_page_opens_a_working_chat(
    live_server: LiveServer, host_page: str, page: Page, shot: Shot
) -> None:
    assert not host_page.startswith(live_server.url)  # a different origin
    page.goto(host_page)
    host = page.locator("#resetdesk-widget-host")
    bubble = host.locator("button.rd-bubble")
    expect(bubble).to_be_visible()
    expect(bubble).to_have_attribute("aria-label", "Open password help chat")
    expect(bubble).to_have_attribute("aria-expanded", "false")
    expect(host.locator("iframe")).to_have_count(0)  # no chat session until it is opened
    shot(page, "1-bubble")

    with chat_script_loads(page):
        bubble.click()
    panel = host.locator("[role=dialog]")
    expect(panel).to_be_visible()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    # lang: the host page's <html lang>, passed on as the chat's language hint
    frame_element = host.locator("iframe.rd-frame")
    expect(frame_element).to_have_attribute("src", live_server.url + "/chat?embed=1&lang=en")
    expect(frame_element).to_have_attribute("title", "ResetDesk chat")

    chat = page.frame_locator("iframe.rd-frame")
    expect(chat.locator("#rd-log .rd-msg-bot").first).to_contain_text("Hi, I'm ResetDesk")
    expect(chat.locator("#rd-input")).to_be_focused()  # opening the panel puts you in the input
    shot(page, "2-open")

    chat.get_by_role("button", name="Reset my password").click()
    expect(chat.locator("#rd-log .rd-msg-user").last).to_contain_text("Reset my password")
    expect(chat.locator("#rd-log .rd-msg-bot").last).to_contain_text("What is your employee ID or username?")
    chat.get_by_label("Message").fill(EMPLOYEE_ID)
    chat.get_by_label("Message").press("Enter")
    expect(chat.get_by_role("button", name="Email me a code")).to_be_enabled()
    shot(page, "3-chatting")

    # Escape inside the (cross-origin) iframe closes the panel and gives focus back to the bubble.
    chat.get_by_label("Message").press("Escape")
    expect(panel).to_be_hidden()
    expect(bubble).to_have_attribute("aria-expanded", "false")
    expect(bubble).to_be_focused()
    # Opening it again keeps the same conversation.
    bubble.click()
    expect(chat.get_by_role("button", name="Email me a code")).to_be_visible()


def test_widget_on_the_demo_page_shows_the_greeting(live_server: LiveServer, page: Page, shot: Shot) -> None:
    """/demo/widget is ours, with our strict CSP: it must still allow the panel's frame of /chat?embed=1."""
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_server.url + "/demo/widget")
    bubble = page.locator("#resetdesk-widget-host button.rd-bubble")
    with chat_script_loads(page):
        bubble.click()
    chat = page.frame_locator("iframe.rd-frame")
    expect(chat.locator("#rd-log .rd-msg-bot").first).to_contain_text("Hi, I'm ResetDesk")
    shot(page, "demo-widget-open")
    assert not blocked, blocked

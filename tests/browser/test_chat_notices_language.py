"""The web chat's own notices (not the bot's replies) are in the page's language: an expired conversation
restarted in German says so in German, never in the API's English."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer, chat_script_loads


def test_an_expired_conversation_is_restarted_with_a_german_notice(live_server: LiveServer, browser: Browser) -> None:
    context = browser.new_context(extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    try:
        chat = context.new_page()
        with chat_script_loads(chat):
            chat.goto(live_server.url + "/chat")
        expect(chat.locator("#rd-input")).to_be_enabled()
        context.clear_cookies()  # the session is gone: the next message is refused with 401
        chat.locator("#rd-input").fill("Passwort vergessen")
        chat.locator("#rd-input").press("Enter")
        notice = chat.locator("#rd-log .rd-msg-notice .rd-text")
        expect(notice).to_have_text("Dieses Gespräch ist abgelaufen, daher hat ein neues begonnen.")
        expect(chat.locator("#rd-input")).to_have_value("Passwort vergessen")  # given back to send again
    finally:
        context.close()

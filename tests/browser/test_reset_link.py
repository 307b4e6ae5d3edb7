"""The reset link opened the way people open it: a click on another site (a webmail page). The token is in the
first request only; the browser then shows /reset/set-password, and the form works from the session cookie,
which must be SameSite=Lax (a Strict cookie set on a cross-site navigation is not sent on its redirect)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Request, Route, expect

from channels.web.reset_page import COOKIE
from tests.browser.conftest import STRONG, LiveServer, reset_link_over_http

Shot = Callable[[Page, str], Path]
MAIL = "http://webmail.example"  # another site: served by the browser itself, through a route


def test_a_link_clicked_on_another_site_opens_the_form_and_the_token_leaves_the_url(
    live_server: LiveServer, context: BrowserContext, page: Page, shot: Shot
) -> None:
    link = reset_link_over_http(live_server, page.request)
    token = link.rsplit("/", 1)[1]
    inbox = f'<!doctype html><title>Inbox</title><a id="link" href="{link}">Set a new password</a>'

    def webmail(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=inbox)

    page.route(MAIL + "/**", webmail)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(MAIL + "/inbox")
    page.locator("#link").click()
    page.wait_for_url(live_server.url + "/reset/set-password")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    cookie = next(c for c in context.cookies(live_server.url + "/reset/") if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and token not in cookie["value"]
    page.get_by_label("New password").fill(STRONG)
    page.get_by_label("Type it again").fill(STRONG)
    expect(page.locator("#meter-text")).to_contain_text("Good")  # the live check ran from the session
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("has been changed")).to_be_visible()
    shot(page, "done")

    to_app = [r.url for r in requests if r.url.startswith(live_server.url)]
    with_token = [url for url in to_app if token in url]
    assert with_token == [link], to_app  # only the click itself carried it
    assert page.evaluate("document.location.href").endswith("/reset/set-password")
    assert token not in page.evaluate("JSON.stringify(history.state) + document.referrer")

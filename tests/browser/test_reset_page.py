"""The reset page as a first-time user meets it (issue 15, "Reset page"): the meter gives the server's verdict
and never calls a refused password strong, the rules are up front, an error keeps what was typed, a mismatch is
said at the second field, "Sign in" leads to the portal, and every state passes axe-core. Without JavaScript
the form still says it all on submit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core.secrets.password_policy import BREACHED
from tests.browser.conftest import STRONG, LiveServer, reset_link_over_http
from tests.core.conftest import OLD_PASSWORD
from tests.support.axe import assert_no_axe_violations

Shot = Callable[[Page, str], Path]
PORTAL = "http://portal.example/sign-in"  # another site, answered by the browser through a route
PWNED = "correct horse battery staple"  # zxcvbn scores it 4 of 4: only the breached file refuses it
LAST_5 = "one of your last 5 passwords"
RED = "rgb(164, 22, 26)"  # --bad in site.css



@pytest.fixture
def live_settings(tmp_path: Path) -> dict[str, Any]:
    """A small Pwned Passwords file (sorted SHA-1 lines) and a portal URL for this module's server."""
    hashes = sorted(hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest().upper() for p in (PWNED, "y" * 20))
    pwned = tmp_path / "pwned.txt"
    pwned.write_text("".join(f"{h}:{n}\n" for n, h in enumerate(hashes, 1)))
    return {"breached_passwords_file": str(pwned), "portal_url": PORTAL}


def open_reset_page(server: LiveServer, page: Page) -> None:
    page.goto(reset_link_over_http(server, page.request))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()


def expect_refused(page: Page, problem: str) -> None:
    """The meter says "Not accepted", lists why, and draws a short red bar."""
    expect(page.locator("#meter-text")).to_have_text("Not accepted")
    expect(page.locator("#live-problems li").filter(has_text=problem)).to_be_visible()
    bar = page.locator("#meter-bar")
    expect(bar).to_have_attribute("data-state", "refused")
    expect(bar).to_have_css("background-color", RED)
    width = bar.evaluate("bar => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width")
    assert width <= 0.35, width


def test_the_meter_gives_the_servers_verdict_and_never_calls_a_refused_password_strong(
    live_server: LiveServer, page: Page, shot: Shot
) -> None:
    open_reset_page(live_server, page)
    assert_no_axe_violations(page)  # empty
    rules = page.locator("#rules li")
    for rule in ("at least 12 characters", "name, username, employee ID", "last 5 passwords", "breached"):
        expect(rules.filter(has_text=rule)).to_be_visible()  # up front, before anything is typed
    shot(page, "1-rules")

    password = page.get_by_label("New password")
    password.fill(OLD_PASSWORD)  # strong to zxcvbn, but the current password
    expect_refused(page, LAST_5)
    shot(page, "2-last-5")
    password.fill(PWNED)
    expect_refused(page, BREACHED)
    password.fill("Jordan harbour violin 1987")
    expect_refused(page, "employee ID")
    shot(page, "3-name")
    assert_no_axe_violations(page)  # with the live verdict shown

    password.fill(STRONG)
    expect(page.locator("#meter-text")).to_have_text("Good: very strong")
    expect(page.locator("#live-problems li")).to_have_count(0)
    expect(page.locator("#meter-bar")).to_have_attribute("data-state", "accepted")


def test_an_error_keeps_the_typed_password_and_a_mismatch_is_said_at_the_second_field(
    live_server: LiveServer, page: Page, shot: Shot
) -> None:
    open_reset_page(live_server, page)
    password, again = page.get_by_label("New password"), page.get_by_label("Type it again")

    password.fill(OLD_PASSWORD)
    again.fill(OLD_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text(LAST_5)
    expect(problems).to_be_focused()
    expect(password).to_have_value(OLD_PASSWORD)  # kept, to change it rather than retype it all
    expect(password).to_have_attribute("autocomplete", "new-password")
    expect(again).to_have_value("")
    expect_refused(page, LAST_5)  # the meter judges the kept text at once
    assert OLD_PASSWORD not in page.url
    shot(page, "1-refused")
    assert_no_axe_violations(page)  # with an error

    password.fill(STRONG)
    again.fill(STRONG + " typo")
    page.get_by_role("button", name="Set new password").click()
    expect(again).to_have_accessible_description("This is not the same as the new password above. Type it again.")
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(again).to_be_focused()
    expect(page.locator("#problems")).to_have_count(0)  # not "choose a different password"
    expect(password).to_have_value(STRONG)
    shot(page, "2-mismatch")
    assert_no_axe_violations(page)

    again.fill(STRONG)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()
    shot(page, "3-done")
    assert_no_axe_violations(page)  # done


def test_sign_in_after_success_goes_to_the_portal(live_server: LiveServer, page: Page) -> None:
    page.route(PORTAL, lambda route: route.fulfill(content_type="text/html", body="<title>Portal</title>Sign in"))
    open_reset_page(live_server, page)
    page.get_by_label("New password").fill(STRONG)
    page.get_by_label("Type it again").fill(STRONG)
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("main")).to_contain_text("You have not been signed in automatically")
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url(PORTAL)


def test_without_javascript_submit_says_it_all(live_server: LiveServer, browser: Browser, shot: Shot) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        open_reset_page(live_server, page)
        password, again = page.get_by_label("New password"), page.get_by_label("Type it again")
        password.fill(PWNED)
        again.fill(PWNED)
        page.get_by_role("button", name="Set new password").click()
        expect(page.locator("#problems")).to_contain_text(BREACHED)
        expect(password).to_have_value(PWNED)
        shot(page, "1-breached")
        password.fill(STRONG)
        again.fill(STRONG + "!")
        page.get_by_role("button", name="Set new password").click()
        expect(again).to_have_accessible_description("This is not the same as the new password above. Type it again.")
        again.fill(STRONG)
        page.get_by_role("button", name="Set new password").click()
        expect(page.get_by_role("heading", name="Your password has been changed")).to_be_visible()
        expect(page.get_by_role("link", name="Sign in")).to_have_attribute("href", PORTAL)
    finally:
        context.close()

"""/enroll in Chromium (issue 16, "Done when"): an employee with nothing on file signs in, adds a phone with
the code from the outbox and sets three questions; the next recoveries in the web chat use those methods, by
SMS and by the questions. The pages pass axe, and sign-in works by keyboard alone."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from core.storage.models import OutboxMessage
from tests.browser.conftest import STRONG, LiveServer, bot_says, chat_to_reset_link, open_chat
from tests.core.conftest import OLD_PASSWORD, add_employee
from tests.support.axe import assert_no_axe_violations

Shot = Callable[[Page, str], Path]
EMPLOYEE = "E3001"
PHONE = "+447700900123"
ANSWERS = {"first_pet": "Quokka Biscuit", "birth_city": "Zanzibar Quay", "first_school": "Heronsgate"}


def nothing_on_file(server: LiveServer) -> None:
    add_employee(server.core, EMPLOYEE, email="", phone="", answers={})


def sms_code(server: LiveServer, count: int) -> str:
    """The code in the `count`-th text message with a code to PHONE in the outbox (the in-process worker sends
    it); notices of changes carry no code and are skipped."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with server.core.database.transaction() as session:
            bodies = session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.kind == "sms", OutboxMessage.recipient == PHONE)
                .order_by(OutboxMessage.id)
            ).all()  # fmt: skip
        codes = [match.group(1) for body in bodies if (match := re.search(r"\b(\d{6,10})\b", body))]
        if len(codes) >= count:
            return codes[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no text message with code number {count} to {PHONE} in the outbox")


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/enroll")
    expect(page).to_have_url(server.url + "/enroll/sign-in")
    page.get_by_label("Employee ID or username").fill(EMPLOYEE)
    page.get_by_label("Current password").fill(OLD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your recovery methods")).to_be_visible()
    expect(page).to_have_url(server.url + "/enroll")


def enroll_phone_and_questions(page: Page, server: LiveServer, shot: Shot) -> None:
    page.get_by_role("link", name="Add a mobile number").click()
    page.get_by_label("New mobile number").fill(PHONE)
    page.get_by_role("button", name="Send a code").click()
    expect(page.get_by_role("heading", name="Enter the code")).to_be_visible()
    expect(page.get_by_text(PHONE)).to_be_visible()
    assert_no_axe_violations(page)
    shot(page, "code-entry")
    page.get_by_label("Code").fill(sms_code(server, 1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("#method-mobile")).to_contain_text("Verified")
    page.get_by_role("link", name="Choose 3 security questions").click()
    assert_no_axe_violations(page)
    for number, (question, answer) in enumerate(ANSWERS.items(), 1):
        page.locator(f"#question_{number}").select_option(question)
        page.locator(f"#answer_{number}").fill(answer)
    page.get_by_role("button", name="Save questions").click()
    expect(page.get_by_role("status").filter(has_text="security questions are saved")).to_be_visible()
    expect(page.locator("#method-questions")).to_contain_text("3 questions answered")
    assert_no_axe_violations(page)
    shot(page, "enrolled")


def recover_by_sms(page: Page, server: LiveServer) -> None:
    open_chat(page, server.url)
    page.get_by_role("button", name="Reset my password").click()
    bot_says(page, "employee ID or username")
    page.locator("#rd-input").fill(EMPLOYEE)
    page.locator("#rd-input").press("Enter")
    page.get_by_role("button", name="Text me a code (SMS)").click()
    bot_says(page, "Type the code here")
    page.locator("#rd-input").fill(sms_code(server, 2))
    page.locator("#rd-input").press("Enter")
    expect(page.locator("#rd-log a.rd-link-button").last).to_be_visible()


def recover_by_questions(page: Page, server: LiveServer) -> None:
    open_chat(page, server.url)
    page.get_by_role("button", name="Reset my password").click()
    bot_says(page, "employee ID or username")
    page.locator("#rd-input").fill(EMPLOYEE)
    page.locator("#rd-input").press("Enter")
    expect(page.get_by_role("button", name="Email me a code")).to_have_count(0)  # nothing but what was enrolled
    page.get_by_role("button", name="Answer my security questions").click()
    texts = {q.text: ANSWERS[q.id] for q in server.core.enrollment.question_pool() if q.id in ANSWERS}
    for number in (1, 2):
        asked = page.locator("#rd-log .rd-msg-bot").filter(has_text=f"Question {number} of 2").last
        expect(asked).to_be_visible()
        answer = next(a for text, a in texts.items() if text in asked.inner_text())
        page.locator("#rd-input").fill(answer)
        page.locator("#rd-input").press("Enter")
    expect(page.locator("#rd-log a.rd-link-button").last).to_be_visible()


def test_nothing_on_file_to_enrolled_then_recovered_by_sms_and_by_questions(
    live_server: LiveServer, page: Page, browser: Browser, shot: Shot
) -> None:
    nothing_on_file(live_server)
    page.goto(live_server.url + "/enroll")
    assert_no_axe_violations(page)
    shot(page, "sign-in")
    sign_in(page, live_server)
    expect(page.locator("#method-mobile")).to_contain_text("Not set up")
    assert_no_axe_violations(page)
    shot(page, "nothing-on-file")
    enroll_phone_and_questions(page, live_server, shot)

    recover_by_sms(page, live_server)
    shot(page, "recovered-by-sms")
    other = browser.new_context()  # a fresh chat: nothing from the first one carries over
    try:
        chat = other.new_page()
        recover_by_questions(chat, live_server)
        shot(chat, "recovered-by-questions")
    finally:
        other.close()


def test_sign_in_by_keyboard_alone(live_server: LiveServer, page: Page) -> None:
    nothing_on_file(live_server)
    page.goto(live_server.url + "/enroll/sign-in")
    expect(page.get_by_label("Employee ID or username")).to_be_focused()  # the page starts where you type
    page.keyboard.type(EMPLOYEE)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Current password")).to_be_focused()
    page.keyboard.type(OLD_PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your recovery methods")).to_be_visible()
    # From the methods, by Tab and Enter, to adding a phone.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Add a mobile number":
            break
    else:
        raise AssertionError("'Add a mobile number' never got focus with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("New mobile number")).to_be_focused()


def test_a_wrong_sign_in_is_announced_and_passes_axe(live_server: LiveServer, page: Page) -> None:
    nothing_on_file(live_server)
    page.goto(live_server.url + "/enroll/sign-in")
    page.get_by_label("Employee ID or username").fill(EMPLOYEE)
    page.get_by_label("Current password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That sign-in didn't work")
    assert_no_axe_violations(page)


def test_the_reset_success_screen_leads_to_enroll_signed_in(live_server: LiveServer, page: Page, shot: Shot) -> None:
    page.goto(chat_to_reset_link(page, live_server))
    page.locator("#password").fill(STRONG)
    page.locator("#confirmation").fill(STRONG)
    page.locator("#submit").click()
    page.get_by_role("link", name="Set up your recovery methods").click()
    expect(page).to_have_url(live_server.url + "/enroll")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # signed in, no password asked again
    expect(page.locator("#method-email")).to_contain_text("e1001@example.com")
    shot(page, "handed-over")
    page.get_by_role("button", name="Sign out").click()  # the pass was used up: now the password is needed
    page.goto(live_server.url + "/enroll")
    expect(page).to_have_url(live_server.url + "/enroll/sign-in")

# ruff: noqa: F811  (fixtures are imported from tests/channels and tests/browser, then used as arguments)
"""Script payloads in a real browser (Chromium through Playwright): in the chat, in its history, in an agent's
reply, and on the agent's ticket page (imported name, transcript, live chat), no script runs and no element is
injected; the reset page loads nothing from elsewhere and sends no Referer."""

from __future__ import annotations

import io
import re
from typing import Any

from playwright.sync_api import APIRequestContext, Page, Playwright, Request, expect

from core.directory.importer import import_employees
from tests.browser.conftest import (  # noqa: F401 (fixtures: SQLite, a live server, Chromium)
    EMPLOYEE_ID,
    LiveServer,
    clock,
    context,
    database,
    live_server,
    live_settings,
    open_chat,
    page,
    reset_link_over_http,
)
from tests.channels.conftest import csrf_of
from tests.security.test_input_injection import HTML_PAYLOADS
from tests.support.hostile_input import CSV_HEADER

AGENT_PASSWORD = "agent password for tests"
INJECTED = "img, svg, script, iframe"


def assert_nothing_ran(page: Page, scope: str) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(scope).locator(INJECTED).count() == 0, page.locator(scope).inner_html()


class AgentApi:
    """A support agent signed in over HTTP (its own cookies), acting through the console's forms and API."""

    def __init__(self, playwright: Playwright, server: LiveServer) -> None:
        server.core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
        self.url = server.url
        self.http = playwright.request.new_context()
        login_page = self.http.get(f"{self.url}/agent/login").text()
        form: dict[str, str | float | bool] = {"csrf_token": csrf_of(login_page), "username": "sam"}
        form["password"] = AGENT_PASSWORD
        assert self.http.post(f"{self.url}/agent/login", form=form).ok
        self.csrf = csrf_of(self.http.get(f"{self.url}/agent").text())

    def take_and_say(self, reference: str, text: str) -> None:
        assert self.http.post(f"{self.url}/agent/tickets/{reference}/take", form={"csrf_token": self.csrf}).ok
        said = self.http.post(f"{self.url}/agent/api/tickets/{reference}/messages", data={"text": text},
                              headers={"X-CSRF-Token": self.csrf})  # fmt: skip
        assert said.ok, said.text()


def test_script_payloads_in_the_chat_never_run(page: Page, live_server: LiveServer, playwright: Playwright) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_chat(page, live_server.url)
    for payload in HTML_PAYLOADS:
        page.locator("#rd-input").fill(payload)
        page.locator("#rd-input").press("Enter")
        expect(page.locator("#rd-log .rd-msg-user").filter(has_text=payload)).to_have_count(1)
    page.locator("#rd-input").fill("agent")
    page.locator("#rd-input").press("Enter")
    handed_off = page.locator("#rd-log .rd-msg-bot").filter(has_text=re.compile(r"RD-[0-9A-Z]{6}")).last
    expect(handed_off).to_be_visible()
    reference = re.search(r"RD-[0-9A-Z]{6}", handed_off.inner_text())
    assert reference is not None
    AgentApi(playwright, live_server).take_and_say(reference.group(0), " ".join(HTML_PAYLOADS))
    agent_line = page.locator("#rd-log .rd-msg-agent").filter(has_text=HTML_PAYLOADS[0])
    expect(agent_line).to_have_count(1)  # arrived by polling
    assert_nothing_ran(page, "#rd-log")
    page.reload()  # the whole history drawn again from the server
    expect(agent_line).to_have_count(1)
    for payload in HTML_PAYLOADS:
        expect(page.locator("#rd-log .rd-msg-user").filter(has_text=payload)).to_have_count(1)
    assert_nothing_ran(page, "#rd-log")
    assert errors == []


def person_asks_for_a_human(api: APIRequestContext, server: LiveServer, payload: str) -> tuple[str, str]:
    def say(session: str, text: str) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {session}"}
        response = api.post(f"{server.url}/api/chat/messages", data={"text": text}, headers=headers)
        assert response.ok, response.text()
        return list(response.json()["messages"])

    session = api.post(f"{server.url}/api/chat/sessions", data={}).json()["session_token"]
    say(session, "reset")
    say(session, payload)
    say(session, EMPLOYEE_ID)
    reference = re.search(r"RD-[0-9A-Z]{6}", say(session, "agent")[-1]["text"])
    assert reference is not None
    say(session, payload)  # in the live ticket chat
    return session, reference.group(0)


def test_script_payloads_on_the_agent_ticket_page_never_run(page: Page, live_server: LiveServer) -> None:
    core = live_server.core
    payload = " ".join(HTML_PAYLOADS)
    cell = '"' + payload.replace('"', '""') + '"'
    csv = f"{CSV_HEADER}\n{EMPLOYEE_ID},e1001user,{cell},e1001@example.com,,,,,,,,\n"
    assert import_employees(core.directory, core.answers, io.StringIO(csv)).updated == 1
    session, reference = person_asks_for_a_human(page.request, live_server, payload)
    core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/agent/login")
    page.locator("#username").fill("sam")
    page.locator("#password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#queue-rows")).to_contain_text(reference)
    page.goto(f"{live_server.url}/agent/tickets/{reference}")
    page.locator("#take").click()
    expect(page.locator(".facts")).to_contain_text(payload)  # the imported full name, as text
    expect(page.locator("#transcript")).to_contain_text(HTML_PAYLOADS[0])

    page.locator("#reply").fill(payload)  # the agent's own line comes back through the poll
    page.locator("#reply-send").click()
    expect(page.locator("#live .from-agent").filter(has_text=payload)).to_have_count(1)
    said = page.request.post(
        f"{live_server.url}/api/chat/messages", data={"text": payload}, headers={"Authorization": f"Bearer {session}"}
    )
    assert said.ok
    expect(page.locator("#live .from-person").filter(has_text=payload)).to_have_count(2)  # one drawn by agent.js
    for scope in (".facts", "#transcript", "#live"):
        assert_nothing_ran(page, scope)
    assert errors == []


def test_the_reset_page_loads_only_its_own_resources_and_sends_no_referer(page: Page, live_server: LiveServer) -> None:
    link = reset_link_over_http(live_server, page.request)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    page.goto(link)
    expect(page.locator("#password")).to_be_visible()
    page.locator("#password").fill("maple river")  # the strength meter asks the server
    expect(page.locator("#meter-text")).not_to_be_empty()
    assert requests and all(r.url.startswith(live_server.url + "/") for r in requests), [r.url for r in requests]
    assert [(r.url, r.headers["referer"]) for r in requests if r.headers.get("referer")] == []  # token stays put
    assert page.evaluate("document.querySelector('meta[name=referrer]').content") == "no-referrer"

    with page.expect_request(lambda r: r.url.endswith("/chat")) as leaving:
        page.goto(live_server.url + "/reset/not-a-real-token")
        page.get_by_role("link", name="Back to the chat").click()
    assert not leaving.value.headers.get("referer")

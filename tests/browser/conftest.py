"""Browser tests: Debian's Chromium driven by Playwright against the real app on a real port.

The app runs with werkzeug's threaded server on 127.0.0.1:<free port>, a fresh SQLite database, email over
SMTP to a real aiosmtpd server (`smtp_server`), and the demo pages on. The clock is the real clock plus an
offset a test can move forward (`clock.advance(...)`), so links and codes expire on demand.

Every test can call `shot(page, "step")`, which keeps a full-page screenshot in
test-artifacts/screenshots/<test>-<step>.png; a failing (or xfailing) test also gets <test>-FAILED-<n>.png
of every page still open.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import APIRequestContext, Browser, BrowserContext, Page, expect
from werkzeug.serving import BaseWSGIServer, make_server

from app import Core, create_app, wiring
from core.clock import utcnow
from core.storage.db import Database
from tests.conftest import CoreFactory
from tests.core.conftest import add_employee
from tests.fakes.smtp_server import FakeSmtpServer
from tests.support import migrated_sqlite

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
HOST = "127.0.0.1"
EMPLOYEE_ID = "E1001"
EMPLOYEE_EMAIL = "e1001@example.com"
STRONG = "maple river quietly 1987 lantern"
WEAK = "password1234"

expect.set_options(timeout=10_000)

# -- the browser -------------------------------------------------------------------------------------


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh profile per test (cookies, sessionStorage); closed before the server stops."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# -- the app on a real port --------------------------------------------------------------------------


class TravelClock:
    """The real time, plus an offset that only moves forward when a test says so."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return utcnow() + self._offset

    def advance(self, seconds: float = 0, **kwargs: float) -> None:
        self._offset += timedelta(seconds=seconds, **kwargs)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """Browser tests run on SQLite only; the database layer is tested on both elsewhere."""
    with migrated_sqlite(tmp_path / "browser.db") as database:
        yield database


@pytest.fixture
def clock() -> TravelClock:
    return TravelClock()


class _Dispatch:
    """The server's WSGI app until the real one exists (it needs the server's URL to be built)."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "request before the app was created"
        return self.app(environ, start_response)


@dataclass
class LiveServer:
    url: str
    core: Core
    smtp: FakeSmtpServer
    clock: TravelClock

    def code_from_email(self, count: int = 1) -> str:
        """The verification code in the `count`-th email that reached the SMTP server."""
        message = self.smtp.wait_for(count)[count - 1]
        assert message["To"] == EMPLOYEE_EMAIL
        match = re.search(r"\b(\d{6,10})\b", message.get_content())
        assert match is not None, message.get_content()
        return match.group(1)


@pytest.fixture
def live_settings() -> dict[str, Any]:
    """Extra settings for the live server; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def live_server(
    make_core: CoreFactory, smtp_server: FakeSmtpServer, clock: TravelClock, live_settings: dict[str, Any]
) -> Iterator[LiveServer]:
    dispatch = _Dispatch()
    server: BaseWSGIServer = make_server(HOST, 0, dispatch, threaded=True)
    url = f"http://{HOST}:{server.server_port}"
    core = make_core(
        public_url=url,
        demo=True,  # the demo sign-in page, although email goes out by SMTP
        email_backend="smtp",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_starttls=False,
        smtp_timeout_seconds=5.0,
        **live_settings,
    )
    add_employee(core, EMPLOYEE_ID, email=EMPLOYEE_EMAIL)
    dispatch.app = create_app(core=core)
    delivery = wiring(dispatch.app).delivery
    delivery.start()  # as `app.py run` does: codes are sent by the in-process delivery worker
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url, core, smtp_server, clock)
    finally:
        delivery.stop()
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- screenshots -------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@pytest.fixture(scope="session", autouse=True)
def _clean_screenshots() -> None:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """shot(page, "step") keeps a full-page screenshot of this screen as a test artifact."""
    test = _slug(request.node.name)

    def take(page: Page, step: str) -> Path:
        path = SCREENSHOTS / f"{test}-{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call" and (report.failed or hasattr(report, "wasxfail")):  # xfail: to see the bug
        context = getattr(item, "funcargs", {}).get("context")
        if isinstance(context, BrowserContext):
            for number, open_page in enumerate(context.pages, 1):
                try:
                    path = SCREENSHOTS / f"{_slug(item.name)}-FAILED-{number}.png"
                    open_page.screenshot(path=str(path), full_page=True)
                except Exception:  # noqa: S110 - a screenshot must never hide the real failure
                    pass
    return report


# -- walking the chat --------------------------------------------------------------------------------


def bot_says(page: Page, text: str | re.Pattern[str]) -> None:
    """Wait until a bot message containing `text` is in the log."""
    expect(page.locator("#rd-log .rd-msg-bot").filter(has_text=text).last).to_be_visible()


@contextmanager
def chat_script_loads(page: Page) -> Iterator[None]:
    """Wrap what loads the chat page: fails at once, and says why, if chat.js does not arrive."""
    with page.expect_response(lambda response: response.url.endswith("/static/chat.js")) as loaded:
        yield
    response = loaded.value
    assert response.status == 200, f"{response.url} answered {response.status}: the chat cannot start"


def open_chat(page: Page, url: str) -> None:
    with chat_script_loads(page):
        page.goto(url + "/chat")
    bot_says(page, "Hi, I'm ResetDesk")
    expect(page.locator("#rd-input")).to_be_enabled()


def chat_to_reset_link(page: Page, server: LiveServer, shot: Callable[[Page, str], Path] | None = None) -> str:
    """From a fresh /chat to the reset link button, by clicking; returns the link's URL."""
    open_chat(page, server.url)
    page.get_by_role("button", name="Reset my password").click()
    bot_says(page, "employee ID or username")
    page.locator("#rd-input").fill(EMPLOYEE_ID)
    page.locator("#rd-input").press("Enter")
    page.get_by_role("button", name="Email me a code").click()
    bot_says(page, "Type the code here")
    code = server.code_from_email()
    page.locator("#rd-input").fill(code)
    if shot:
        shot(page, "code-typed")
    page.locator("#rd-input").press("Enter")
    link = page.locator("#rd-log a.rd-link-button").last
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href and href.startswith(server.url + "/reset/")
    return href


def reset_link_over_http(server: LiveServer, api: APIRequestContext) -> str:
    """A reset link got by talking to the chat API directly (no chat page), for tests about the link itself."""

    def call(path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = api.post(server.url + path, data=body, headers=headers)
        assert response.ok, (response.status, response.text())
        return dict(response.json())

    token = call("/api/chat/sessions", {})["session_token"]
    for text in ("I forgot my password", EMPLOYEE_ID, "email"):
        call("/api/chat/messages", {"text": text}, token)
    replies = call("/api/chat/messages", {"text": server.code_from_email()}, token)["messages"]
    link = replies[-1]["link"]
    assert link is not None, replies
    return str(link["url"])

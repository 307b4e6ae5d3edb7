"""Hostile requests: forged Host headers, CSRF on the reset form and every console post, and what the reset
page lets a referrer see or loads from elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import Core
from channels.web.reset_page import FORM_PATH
from core.storage.models import AuditEvent, HandoffTicket, OutboxMessage, ResetToken, TicketMessage
from tests.channels.conftest import csrf_of
from tests.channels.test_agent_console import AGENT_PASSWORD, person_asks_for_a_human, sign_in
from tests.core.conftest import OLD_PASSWORD, add_employee, last_outbox_code
from tests.support import FakeClock, deliver_queued
from tests.support.hostile_input import reset_page, rows

STRONG = "maple river quietly 1987 lantern"


# -- Host header injection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        {"Forwarded": "host=evil.example;proto=https"},
        {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Original-Host": "evil.example"},
    ],
    ids=["host", "x-forwarded-host", "forwarded", "all"],
)
def test_a_forged_host_never_reaches_a_reset_link(client: FlaskClient, core: Core, headers: dict[str, str]) -> None:
    add_employee(core)

    def call(path: str, text: str | None = None) -> dict[str, Any]:
        response = client.post(path, json={} if text is None else {"text": text}, headers=headers)
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return dict(response.get_json())

    call("/api/chat/sessions")  # the test client keeps the session cookie
    for text in ("I forgot my password", "E1001", "email"):
        call("/api/chat/messages", text)
    replies = call("/api/chat/messages", last_outbox_code(core))["messages"]
    url = replies[-1]["link"]["url"]
    assert url.startswith(core.settings.public_url + "/reset/") and "evil" not in url
    with core.database.transaction() as session_:
        bodies = " ".join(session_.scalars(select(OutboxMessage.body)).all())
    assert "evil" not in bodies


# -- CSRF ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong-token", "other-session"])
def test_csrf_on_the_reset_form(app: Flask, core: Core, token: str | None) -> None:
    client, path, _ = reset_page(app, core)
    if token == "other-session":  # a real token, from the attacker's own session
        token = csrf_of(app.test_client().get("/demo/login").get_data(as_text=True))
    form = {"password": STRONG, "confirmation": STRONG} | ({} if token is None else {"csrf_token": token})
    assert client.post(FORM_PATH, data=form).status_code == 400
    headers = {} if token is None else {"X-CSRF-Token": token}
    assert client.post(FORM_PATH + "/check", json={"password": STRONG}, headers=headers).status_code == 400
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])
    account = core.directory.find("E1001")
    assert account is not None and core.directory.verify_password(account.id, OLD_PASSWORD)


CONSOLE_POSTS = [
    ("take", {}),
    ("send-link", {"reason": "Verified by video call"}),
    ("send-code", {"method": "email", "reason": "Verified by video call"}),
    ("close", {"outcome": "resolved"}),
    ("api-message", {"text": "Hi from IT"}),
    ("logout", {}),
]


@pytest.mark.parametrize("token", [None, "wrong-token", "other-session"])
@pytest.mark.parametrize("action, form", CONSOLE_POSTS, ids=[a for a, _ in CONSOLE_POSTS])
def test_csrf_on_every_console_post(
    app: Flask, core: Core, clock: FakeClock, action: str, form: dict[str, str], token: str | None
) -> None:
    chat, reference = person_asks_for_a_human(app, core)
    agent, csrf = sign_in(app, core)
    if action != "take":
        assert agent.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    clock.advance(61)
    if token == "other-session":
        token = csrf_of(app.test_client().get("/agent/login").get_data(as_text=True))
    state = snapshot(core)
    if action == "api-message":
        headers = {} if token is None else {"X-CSRF-Token": token}
        response = agent.post(f"/agent/api/tickets/{reference}/messages", json=form, headers=headers)
    else:
        path = "/agent/logout" if action == "logout" else f"/agent/tickets/{reference}/{action}"
        response = agent.post(path, data=form | ({} if token is None else {"csrf_token": token}))
    assert response.status_code == 400
    assert snapshot(core) == state and chat.poll() == []
    assert agent.get("/agent").status_code == 200  # still signed in


def snapshot(core: Core) -> tuple[Any, ...]:
    deliver_queued(core)
    with core.database.transaction() as session:
        tickets = sorted((t.reference, t.status, t.agent_id) for t in session.scalars(select(HandoffTicket)))
    return (
        tuple(tickets),
        rows(core, TicketMessage),
        rows(core, OutboxMessage),
        rows(core, ResetToken),
        rows(core, AuditEvent),
    )


def test_csrf_on_console_sign_in(app: Flask, core: Core) -> None:
    core.support.create_agent("sam", "Sam", AGENT_PASSWORD)
    victim = app.test_client()
    victim.get("/agent/login")
    for token in (None, "wrong-token"):
        form = {"username": "sam", "password": AGENT_PASSWORD} | ({} if token is None else {"csrf_token": token})
        assert victim.post("/agent/login", data=form).status_code == 400
    assert victim.get("/agent").status_code == 302  # not signed in (no login CSRF)


# -- the reset page's referrer and resources ----------------------------------------------------------------


def test_the_reset_page_leaks_no_referrer_and_loads_nothing_from_elsewhere(app: Flask, core: Core) -> None:
    client, _, csrf = reset_page(app, core)
    pages = [client.get(FORM_PATH), client.get("/reset/not-a-real-token")]
    pages.append(client.post(FORM_PATH, data={"csrf_token": csrf, "password": STRONG, "confirmation": STRONG}))
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="referrer" content="no-referrer">' in html
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "http" not in csp and "*" not in csp
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', html):
            assert url.startswith("/") and not url.startswith("//"), url  # same origin only
        assert "<iframe" not in html and "@import" not in html and "url(" not in html

"""Agents for console tests: created with a known TOTP secret, signed in through the real two steps."""

from __future__ import annotations

import re
from datetime import UTC

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app import Core
from core.support.access import AgentAccess, build_agent_access
from core.support.desk import AgentInfo

__all__ = [
    "AGENT_PASSWORD",
    "access_of",
    "add_agent",
    "code_step",
    "csrf_of",
    "password_step",
    "sign_in_with_totp",
    "totp_code",
]

AGENT_PASSWORD = "agent password for tests"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None, html[:500]
    return match.group(1)


def access_of(core: Core) -> AgentAccess:
    return build_agent_access(core.settings, core.database, core.clock, core.support)


def add_agent(core: Core, username: str = "sam", *, totp: bool = True) -> tuple[AgentInfo, str | None]:
    """An agent with the test password and, unless `totp=False`, an enrolled TOTP secret (returned)."""
    agent = core.support.create_agent(username, username.title(), AGENT_PASSWORD)
    secret = access_of(core).two_factor.enroll(agent.id, confirmed=True).secret if totp else None
    return agent, secret


def totp_code(core: Core, secret: str, *, offset_steps: int = 0) -> str:
    """The code an authenticator app shows at the core's (fake) clock time."""
    at = core.clock.now().replace(tzinfo=UTC).timestamp() + 30 * offset_steps
    return pyotp.TOTP(secret).at(at)


def password_step(
    client: FlaskClient, username: str = "sam", password: str = AGENT_PASSWORD, *, address: str | None = None
) -> TestResponse:
    environ = {"REMOTE_ADDR": address} if address else {}
    csrf = csrf_of(client.get("/agent/login", environ_base=environ).get_data(as_text=True))
    form = {"csrf_token": csrf, "username": username, "password": password}
    return client.post("/agent/login", data=form, environ_base=environ)


def code_step(client: FlaskClient, code: str, *, address: str | None = None) -> TestResponse:
    environ = {"REMOTE_ADDR": address} if address else {}
    page = client.get("/agent/login/code", environ_base=environ)
    assert page.status_code == 200, page.status_code
    form = {"csrf_token": csrf_of(page.get_data(as_text=True)), "code": code}
    return client.post("/agent/login/code", data=form, environ_base=environ)


def sign_in_with_totp(app: Flask, core: Core, username: str = "sam") -> tuple[FlaskClient, str, AgentInfo, str]:
    """A new agent signed in with password and code: (client, CSRF token, agent, TOTP secret)."""
    agent, secret = add_agent(core, username)
    assert secret is not None
    client = app.test_client()
    first = password_step(client, username)
    assert first.status_code == 302 and first.headers["Location"].endswith("/agent/login/code"), first.status_code
    second = code_step(client, totp_code(core, secret))
    assert second.status_code == 302 and second.headers["Location"].endswith("/agent"), second.status_code
    return client, csrf_of(client.get("/agent").get_data(as_text=True)), agent, secret

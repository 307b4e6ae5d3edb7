"""Attacks on agent console sessions (issue 13, finding 3): a copied cookie after logout, an unattended or
long-lived console, password guessing spread over many addresses, and a disabled agent still acting.

Two-factor attacks are in test_agent_mfa.py. Each test performs the attack against the real app (Flask test
client, real database) and fails when its defence is removed."""

from __future__ import annotations

import hashlib

from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from core.storage.models import Agent, AgentSession, AuditEvent
from tests.channels.test_agent_console import person_asks_for_a_human
from tests.conftest import CoreFactory
from tests.support.agents import access_of, add_agent, password_step, sign_in_with_totp
from tests.support.attacks import web_app

COOKIE = "resetdesk_agent"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE, path="/agent")
    assert cookie is not None
    return cookie.value


def _can_use_console(client: FlaskClient) -> bool:
    page, api = client.get("/agent"), client.get("/agent/api/queue")
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    return page.status_code == 200


def test_a_copied_cookie_is_refused_after_logout(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    client, csrf, _, _ = sign_in_with_totp(app, core)
    stolen = _cookie(client)
    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen, path="/agent")
    assert _can_use_console(thief)  # the copy works while the session is live...

    assert client.post("/agent/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get_cookie(COOKIE, path="/agent") is None
    assert not _can_use_console(thief)  # ...and not after logout, whoever holds it
    assert thief.get("/agent").headers["Location"].endswith("/agent/login")
    assert thief.get("/agent/api/queue").status_code == 401
    # The cookie is only a random id; the database keeps its hash, so the table is no use as cookies.
    with core.database.engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM agent_sessions")).all())
    assert stolen not in dump and hashlib.sha256(stolen.encode()).hexdigest() in dump
    assert len(stolen) >= 43  # 256 random bits, URL-safe base64


def test_the_cookie_is_http_only_strict_and_scoped_to_the_console(make_core: CoreFactory) -> None:
    # demo=True keeps two-factor optional (an https public URL alone turns demo mode off)
    app, core = web_app(make_core, public_url="https://desk.example.com", demo=True)
    add_agent(core, totp=False)  # optional two-factor: password only for an agent not enrolled
    client = app.test_client()
    response = password_step(client)
    set_cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/agent", "Secure"):
        assert flag in set_cookie, set_cookie


def test_an_idle_console_times_out_and_polling_is_not_activity(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    client, _, _, _ = sign_in_with_totp(app, core)
    for _ in range(3):  # activity (page views) keeps the session alive past 15 minutes in total
        core.clock.advance(minutes=14)  # type: ignore[attr-defined]
        assert client.get("/agent").status_code == 200
    for _ in range(14):  # the queue page polling in an unattended browser is not activity
        core.clock.advance(minutes=1)  # type: ignore[attr-defined]
        assert client.get("/agent/api/queue").status_code == 200
    core.clock.advance(seconds=61)  # type: ignore[attr-defined]
    assert client.get("/agent/api/queue").status_code == 401
    assert not _can_use_console(client)


def test_the_idle_limit_is_a_setting(make_core: CoreFactory) -> None:
    app, core = web_app(make_core, agent_idle_minutes=3)
    client, _, _, _ = sign_in_with_totp(app, core)
    core.clock.advance(minutes=2, seconds=59)  # type: ignore[attr-defined]
    assert _can_use_console(client)
    core.clock.advance(minutes=3, seconds=1)  # type: ignore[attr-defined]
    assert not _can_use_console(client)


def test_a_busy_session_still_ends_after_its_absolute_lifetime(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    client, _, _, _ = sign_in_with_totp(app, core)
    for _ in range(47):  # active every 10 minutes for 7 h 50 min
        core.clock.advance(minutes=10)  # type: ignore[attr-defined]
        assert client.get("/agent").status_code == 200
    core.clock.advance(minutes=10, seconds=1)  # type: ignore[attr-defined]
    assert not _can_use_console(client)

    short_app, short_core = web_app(make_core, agent_session_hours=1)
    short, _, _, _ = sign_in_with_totp(short_app, short_core, "kim")
    for _ in range(5):
        short_core.clock.advance(minutes=10)  # type: ignore[attr-defined]
        assert _can_use_console(short)
    short_core.clock.advance(minutes=10, seconds=1)  # type: ignore[attr-defined]
    assert not _can_use_console(short)


def test_guessing_one_agents_password_from_many_addresses_is_throttled(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    add_agent(core, "sam", totp=False)
    add_agent(core, "kim", totp=False)
    allowed = core.settings.agent_account_sign_ins_per_15_minutes
    for n in range(allowed):
        wrong = password_step(app.test_client(), "sam", f"guess number {n}", address=f"10.0.{n}.1")
        assert wrong.status_code == 401
    # The next guess, from a fresh address, with the right password even: refused, and told when to retry.
    refused = password_step(app.test_client(), "sam", address="10.9.9.9")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Too many sign-in attempts" in refused.get_data(as_text=True)
    with core.database.transaction() as session:
        assert session.scalars(select(AgentSession)).all() == []
    # Another agent is not throttled by the attack on sam, and sam can sign in once the window has passed.
    assert password_step(app.test_client(), "kim", address="10.0.0.1").status_code == 302
    core.clock.advance(seconds=int(refused.headers["Retry-After"]))  # type: ignore[attr-defined]
    assert password_step(app.test_client(), "sam", address="10.9.9.9").status_code == 302


def test_guessing_from_one_address_is_throttled_with_retry_after(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    add_agent(core, totp=False)
    client = app.test_client()
    for n in range(core.settings.agent_sign_ins_per_5_minutes):
        assert password_step(client, f"user{n}", "x", address="10.1.1.1").status_code == 401
    refused = password_step(client, "sam", address="10.1.1.1")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 300


def test_a_disabled_agent_cannot_act_in_an_open_session(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    chat, reference = person_asks_for_a_human(app, core)
    client, csrf, agent, _ = sign_in_with_totp(app, core)
    assert client.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf}).status_code == 302
    with core.database.transaction() as session:  # an admin disables the agent; the session row stays live
        session.execute(update(Agent).where(Agent.id == agent.id).values(active=False))
    form = {"csrf_token": csrf, "reason": "Verified by video call"}
    refused = client.post(f"/agent/tickets/{reference}/send-link", data=form)
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/agent/login")
    said = client.post(f"/agent/api/tickets/{reference}/messages", json={"text": "hi"}, headers={"X-CSRF-Token": csrf})
    assert said.status_code == 401
    assert all("secure link" not in m["text"] for m in chat.poll())
    with core.database.transaction() as session:
        events = [e.event for e in session.scalars(select(AuditEvent))]
    assert "agent.link_issued" not in events


def test_a_revoked_session_cannot_act(make_core: CoreFactory) -> None:
    app, core = web_app(make_core)
    _, reference = person_asks_for_a_human(app, core)
    client, csrf, agent, _ = sign_in_with_totp(app, core)
    assert access_of(core).sessions.revoke_agent(agent.id) == 1  # e.g. a lost laptop
    took = client.post(f"/agent/tickets/{reference}/take", data={"csrf_token": csrf})
    assert took.headers["Location"].endswith("/agent/login")
    with core.database.transaction() as session:
        assert session.execute(select(Agent.id)).scalars().all() == [agent.id]
        events = [e.event for e in session.scalars(select(AuditEvent))]
    assert "agent.took_ticket" not in events

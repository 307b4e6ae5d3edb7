"""The reset page: headers, CSRF, policy feedback, single use, and the chat confirming."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app import Core
from channels.web.reset_page import FORM_PATH
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.support import FakeClock

STRONG = "maple river quietly 1987 lantern"


def open_page(app: Flask, core: Core) -> tuple[FlaskClient, str, str, ChatClient]:
    """Open the emailed link (the first GET trades the token for a session and redirects to the form).
    Returns the client, the link's path (the token is its last part), the form's HTML and the chat."""
    client = app.test_client()
    chat = ChatClient(client)
    url = reset_link_via_email(core, chat)
    path = url.removeprefix(core.settings.public_url)
    opened = client.get(path)
    assert opened.status_code == 303 and opened.headers["Location"] == FORM_PATH
    page = client.get(FORM_PATH)
    assert page.status_code == 200
    return client, path, page.get_data(as_text=True), chat


def test_page_headers_lock_it_down(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    response = client.get(FORM_PATH)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # public URL is http here
    assert 'type="password"' in html and "<script>" not in html


def test_hsts_when_served_over_https(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(public_url="https://reset.example.com")
    assert "max-age=" in app.test_client().get("/chat").headers["Strict-Transport-Security"]


def test_post_without_the_csrf_token_is_refused(app: Flask, core: Core) -> None:
    client, path, _, _ = open_page(app, core)
    response = client.post(FORM_PATH, data={"password": STRONG, "confirmation": STRONG})
    assert response.status_code == 400
    assert core.recovery.link_is_valid(path.rsplit("/", 1)[1])  # nothing was used up


def test_weak_password_gets_reasons_and_strong_one_completes_and_chat_confirms(app: Flask, core: Core) -> None:
    client, path, html, chat = open_page(app, core)
    csrf = csrf_of(html)
    weak = client.post(FORM_PATH, data={"csrf_token": csrf, "password": "password1234", "confirmation": "password1234"})
    assert weak.status_code == 422 and "different password" in weak.get_data(as_text=True)
    done = client.post(FORM_PATH, data={"csrf_token": csrf, "password": STRONG, "confirmation": STRONG})
    assert done.status_code == 200 and "has been changed" in done.get_data(as_text=True)
    assert "sign in" in done.get_data(as_text=True).lower()
    pushed = chat.poll()
    assert pushed and "password has been changed" in pushed[-1]["text"]
    for again in (client.get(path), client.get(FORM_PATH)):  # the link, and the session it opened, are spent
        assert again.status_code == 410 and "/chat" in again.get_data(as_text=True)


def test_live_check_returns_the_servers_verdict(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    headers = {"X-CSRF-Token": csrf_of(html)}
    check = FORM_PATH + "/check"
    weak = client.post(check, json={"password": "Jordan Example"}, headers=headers).get_json()
    strong = client.post(check, json={"password": STRONG}, headers=headers).get_json()
    assert weak["acceptable"] is False and weak["problems"] and weak["label"] == "Not accepted"
    assert strong == {"acceptable": True, "problems": [], "strength": 4, "label": "Good: very strong"}
    assert client.post(check, json={"password": STRONG}).status_code == 400


def test_expired_link_leads_back_to_the_chat(app: Flask, core: Core, clock: FakeClock) -> None:
    client, _, _, _ = open_page(app, core)
    clock.advance(minutes=15)
    page = client.get(FORM_PATH)
    assert page.status_code == 410 and "Back to the chat" in page.get_data(as_text=True)


def test_guessing_tokens_is_rate_limited(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(reset_requests_per_minute=60)  # the default is an office-sized backstop
    client = app.test_client()
    statuses = [client.get(f"/reset/guess{n}").status_code for n in range(61)]
    assert statuses[:60] == [410] * 60 and statuses[60] == 429


def test_demo_pages_show_the_outbox_and_sign_in(app: Flask, core: Core) -> None:
    client, _, html, _ = open_page(app, core)
    outbox = client.get("/demo/outbox").get_data(as_text=True)
    assert "Your ResetDesk verification code is" in outbox
    csrf = csrf_of(html)
    client.post(FORM_PATH, data={"csrf_token": csrf, "password": STRONG, "confirmation": STRONG})
    login = client.get("/demo/login")
    form = {"csrf_token": csrf_of(login.get_data(as_text=True)), "identifier": "e1001", "password": STRONG}
    assert "Signed in" in client.post("/demo/login", data=form).get_data(as_text=True)
    form["password"] = "wrong password here"
    assert client.post("/demo/login", data=form).status_code == 401


def test_demo_pages_are_off_with_a_public_url_that_is_not_loopback(make_app) -> None:  # type: ignore[no-untyped-def]
    app, _ = make_app(public_url="https://reset.example.com")
    assert app.test_client().get("/demo/outbox").status_code == 404


def test_access_logs_never_show_a_reset_token(app: Flask, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.INFO)
    token = "Abc-123_def" * 4
    logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"GET /reset/{token} HTTP/1.1", 200)
    logging.getLogger("gunicorn.access").info('"POST /reset/%s/check HTTP/1.1" 200', token)
    logging.getLogger("werkzeug").info('"GET /reset/set-password HTTP/1.1" 200')
    assert token not in caplog.text and caplog.text.count("/reset/[redacted]") == 2
    assert "GET /reset/set-password" in caplog.text  # the form's path holds no token and stays readable

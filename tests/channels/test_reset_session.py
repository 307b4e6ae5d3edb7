"""The reset token leaves the URL after the first request (issue 12): GET /reset/<token> moves it into a
server-side session and redirects to /reset/set-password, which works only with that session."""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from app import Core
from channels.web.enroll_handover import COOKIE as ENROLL_PASS
from channels.web.reset_page import COOKIE, FORM_PATH
from core.enrollment.handover import EnrollHandover
from core.storage.models import ResetSession
from tests.channels.conftest import ChatClient, csrf_of, reset_link_via_email
from tests.channels.test_reset_page import STRONG, open_page


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """The app on werkzeug's real server, whose access log goes to the "werkzeug" logger."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def request(port: int, method: str, path: str, cookies: SimpleCookie, body: str = "", **headers: str) -> tuple:  # type: ignore[type-arg]
    """One request that sends and keeps cookies like a browser; returns (status, headers, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
    if body:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    connection.request(method, path, body=body.encode() or None, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    for value in response.headers.get_all("Set-Cookie") or []:
        cookies.load(value)
    connection.close()
    return response.status, response.headers, text


def test_after_the_first_request_no_url_or_log_line_holds_the_token(
    app: Flask, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link = reset_link_via_email(core, ChatClient(app.test_client()))
    path = link.removeprefix(core.settings.public_url)
    token = path.rsplit("/", 1)[1]
    cookies: SimpleCookie = SimpleCookie()
    with serving(app) as port:
        status, headers, _ = request(port, "GET", path, cookies)
        assert status == 303 and headers["Location"] == FORM_PATH
        first_request_logged = len(caplog.records)
        urls = [headers["Location"]]
        status, _, html = request(port, "GET", urls[-1], cookies)
        assert status == 200 and 'data-check-url="/reset/set-password/check"' in html
        csrf = csrf_of(html)
        urls.append(FORM_PATH + "/check")
        body = '{"password": "' + STRONG + '"}'
        status, _, verdict = request(
            port, "POST", urls[-1], cookies, body, **{"Content-Type": "application/json", "X-CSRF-Token": csrf}
        )
        assert status == 200 and '"acceptable":true' in verdict.replace(" ", "")
        urls.append(FORM_PATH)
        form = f"csrf_token={csrf}&password={STRONG.replace(' ', '+')}&confirmation={STRONG.replace(' ', '+')}"
        status, _, done = request(port, "POST", urls[-1], cookies, form)
        assert status == 200 and "has been changed" in done
    later_lines = [record.getMessage() for record in caplog.records[first_request_logged:]]
    assert sum("/reset/set-password" in line for line in later_lines) == 3  # the access log did run
    assert not any(token in line for line in later_lines)
    assert not any(token in url for url in urls)
    assert not any(token in morsel.value for morsel in cookies.values())
    assert token not in caplog.text  # the first request's own line is redacted too
    assert STRONG not in caplog.text  # nor the password, checked live and submitted
    # The success page gave this browser a one-time pass to /enroll (issue 16); the browser uses it there.
    assert EnrollHandover(core.enrollment.deps).redeem(cookies[ENROLL_PASS].value) is not None
    with core.database.transaction() as session:  # the session row holds the token only sealed, and is gone now
        assert session.scalars(select(ResetSession)).all() == []


def test_the_session_cookie_is_httponly_lax_and_the_row_never_holds_the_token(client: FlaskClient, core: Core) -> None:
    path = reset_link_via_email(core, ChatClient(client)).removeprefix(core.settings.public_url)
    token = path.rsplit("/", 1)[1]
    opened = client.get(path)
    cookie = next(h for h in opened.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "samesite=lax" in cookie.lower()
    assert "Path=/reset" in cookie and "secure" not in attributes  # http public URL here
    assert token not in "".join(opened.headers.getlist("Set-Cookie"))
    with core.database.transaction() as session:
        sealed = [row.sealed_token for row in session.scalars(select(ResetSession))]
    assert len(sealed) == 1 and token not in sealed[0]


def test_secure_cookie_under_https(make_app) -> None:  # type: ignore[no-untyped-def]
    app, core = make_app(public_url="https://reset.example.com")
    client = app.test_client()
    path = reset_link_via_email(core, ChatClient(client)).removeprefix(core.settings.public_url)
    cookie = next(h for h in client.get(path).headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "Secure" in cookie


def test_the_form_works_only_with_the_session(app: Flask, core: Core) -> None:
    owner, path, html, _ = open_page(app, core)
    token = path.rsplit("/", 1)[1]
    stranger = app.test_client()  # no session cookie: knows the form's path, not the token
    assert stranger.get(FORM_PATH).status_code == 410
    own_csrf = csrf_of(stranger.get("/demo/login").get_data(as_text=True))
    form = {"csrf_token": own_csrf, "password": STRONG, "confirmation": STRONG}
    assert stranger.post(FORM_PATH, data=form).status_code == 410
    assert (
        stranger.post(FORM_PATH + "/check", json={"password": STRONG}, headers={"X-CSRF-Token": own_csrf}).status_code
        == 410
    )
    stranger.set_cookie(COOKIE, "a-forged-handle-" + "x" * 27, path="/reset")
    assert stranger.get(FORM_PATH).status_code == 410
    # The token is never accepted in a POST's URL any more.
    assert (
        owner.post(path, data={"csrf_token": csrf_of(html), "password": STRONG, "confirmation": STRONG}).status_code
        == 405
    )
    assert core.recovery.link_is_valid(token)  # none of that used the link up
    done = owner.post(FORM_PATH, data={"csrf_token": csrf_of(html), "password": STRONG, "confirmation": STRONG})
    assert done.status_code == 200
    assert owner.get(FORM_PATH).status_code == 410  # the session ended with the reset


def test_an_invalid_link_opens_no_session(client: FlaskClient, core: Core) -> None:
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 410 and "Location" not in response.headers
    with core.database.transaction() as session:
        assert session.scalars(select(ResetSession)).all() == []
